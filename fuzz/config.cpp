// planar.ini text of any shape through the real parser (compositor/config):
// it answers with a config or an error line, never a crash.
#include "config.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::FuzzInput in(data, size);
    planar::ConfigResult result = planar::parse_config(in.rest(), "fuzz.ini");
    if (!result.error.empty() && result.error.rfind("fuzz.ini", 0) != 0) __builtin_trap(); // errors name the file
    return 0;
}
