// solid_window: shows one window of a solid colour on WAYLAND_DISPLAY until
// killed or disconnected. The nested tests run it as the inner compositor's
// client, where an in-process TestClient cannot reach.
//   solid_window [--colour 0xRRGGBB] [--size WxH]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "test_client.hpp"

int main(int argc, char **argv) {
    uint32_t colour = 0x3366cc;
    int width = 200, height = 150;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string option = argv[i];
        if (option == "--colour") {
            colour = static_cast<uint32_t>(std::strtoul(argv[i + 1], nullptr, 16));
        } else if (option == "--size" && std::sscanf(argv[i + 1], "%dx%d", &width, &height) == 2) {
        } else {
            std::fprintf(stderr, "usage: solid_window [--colour 0xRRGGBB] [--size WxH]\n");
            return 2;
        }
    }
    test_client::TestClient client;
    if (!client.map_window(width, height, 0xff000000u | colour)) {
        std::fprintf(stderr, "solid_window: %s\n", client.error().c_str());
        return 1;
    }
    std::fprintf(stderr, "solid_window: mapped %dx%d of 0x%06x\n", width, height, colour);
    // Keep answering pings and configures until the compositor goes away.
    while (client.dispatch_until([] { return false; }, std::chrono::hours(1))) {
    }
    return 0;
}
