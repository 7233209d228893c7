// Bytes on planar's IPC socket, in chunks of any size, through the request
// reader (compositor/ipc): at most one command comes out, never longer than
// a command may be.
#include "fuzz_input.hpp"
#include "ipc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::FuzzInput in(data, size);
    planar::CommandReader reader;
    while (!in.empty()) {
        std::string chunk = in.bytes(1 + in.below(200));
        planar::CommandReader::State state = reader.feed(chunk.data(), chunk.size());
        if (state == planar::CommandReader::State::complete) {
            if (reader.command().size() > planar::CommandReader::max_command ||
                reader.command().find('\n') != std::string::npos) {
                __builtin_trap();
            }
            planar::parse_command(reader.command());
            // A move request is whole numbers in range, never a partial parse.
            if (auto move = planar::parse_move(reader.command());
                move && (move->surface == 0 || move->x < -1'000'000 || move->x > 1'000'000)) {
                __builtin_trap();
            }
        }
    }
    return 0;
}
