// The pointer's focus follows what a window's commit changes under a pointer
// that does not move: a window that grows under it gets wl_pointer.enter, one
// that shrinks away from it gets wl_pointer.leave. planar works the focus out
// again after a commit only when the commit can have changed it
// (Seat::view_committed), so these are the cases that must not be skipped.
#include <regex>
#include <string>

#include "harness.hpp"
#include "raw_client.hpp"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;
using test_client::RawClient;

class PointerFocusTest : public PlanarTest {
protected:
    // The top-left corner of the window with `app_id`, from planar-ctl.
    bool corner_of(const std::string &app_id, int &x, int &y) {
        std::string out = planar_.run({harness::program_from_env("PLANAR_CTL_EXE"), "surfaces"}, 10s).out;
        std::smatch m;
        std::regex line("app_id=\"" + app_id + "\"[^\\n]*geometry=(\\d+)x(\\d+)\\+(-?\\d+)\\+(-?\\d+)");
        if (!std::regex_search(out, m, line) || std::stoi(m[1]) == 0) return false;
        x = std::stoi(m[3]);
        y = std::stoi(m[4]);
        return true;
    }
    bool move_pointer(int x, int y) {
        auto moved = planar_.run({harness::program_from_env("PLANAR_VIRTUAL_POINTER_EXE"), "move", std::to_string(x),
                                  std::to_string(y)},
                                 10s);
        return moved.status == 0;
    }
};

TEST_F(PointerFocusTest, AWindowThatGrowsUnderTheStillPointerGetsEnterAndLeaveWhenItShrinks) {
    ASSERT_TRUE(start_headless());
    RawClient client(planar_.socket_path());
    auto *seat = client.bind<wl_seat>(wl_seat_interface, 5);
    ASSERT_NE(seat, nullptr);
    test_client::PointerEvents seen;
    seen.watch(client.keep(wl_seat_get_pointer(seat)));
    RawClient::Toplevel window = client.toplevel("grows");
    ASSERT_TRUE(client.map(window, 100, 100));
    int x = 0, y = 0;
    ASSERT_TRUE(harness::wait_for([&] { return corner_of("grows", x, y); }, 10s));
    // Beside the window, where it will be once it is 300x300.
    ASSERT_TRUE(move_pointer(x + 200, y + 200));
    ASSERT_TRUE(client.roundtrip());
    ASSERT_EQ(seen.enters, 0) << "the pointer is not over the window yet";

    wl_surface_attach(window.surface, client.shm_buffer(300, 300), 0, 0);
    wl_surface_damage_buffer(window.surface, 0, 0, 300, 300);
    wl_surface_commit(window.surface);
    EXPECT_TRUE(client.dispatch_until([&] { return seen.enters == 1; }, 5s))
        << "the window grew under the pointer and got no wl_pointer.enter";

    wl_surface_attach(window.surface, client.shm_buffer(100, 100), 0, 0);
    wl_surface_damage_buffer(window.surface, 0, 0, 100, 100);
    wl_surface_commit(window.surface);
    EXPECT_TRUE(client.dispatch_until([&] { return seen.leaves == 1; }, 5s))
        << "the window shrank away from the pointer and got no wl_pointer.leave";
    EXPECT_EQ(seen.enters, 1);
}

} // namespace
