// The rules of one zwp_linux_buffer_params_v1, without Wayland: what `add`
// and `create` answer (ok, a protocol error with its code, `failed`, or "not
// a dma-buf"), so that the unit tests can drive every clause of the spec
// with a fake importer. linux_dmabuf_v1.cpp turns outcomes into the wire.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "importer.hpp"
#include "unique_fd.hpp"

namespace proto {

struct ParamsOutcome {
    enum class Kind { ok, error, failed, not_dmabuf };
    Kind kind = Kind::ok;
    uint32_t error = 0; // zwp_linux_buffer_params_v1 error code, for Kind::error
    std::string message;

    static ParamsOutcome ok() { return {}; }
    static ParamsOutcome fatal(uint32_t code, std::string message) {
        return {Kind::error, code, std::move(message)};
    }
    static ParamsOutcome fail(std::string message) { return {Kind::failed, 0, std::move(message)}; }
};

// Whether a format/modifier pair is in the advertised table.
using Advertised = std::function<bool(render::FormatPair)>;

class DmabufParams {
public:
    explicit DmabufParams(uint32_t version) : version_(version) {}

    ParamsOutcome add(UniqueFd fd, uint32_t plane_idx, uint32_t offset, uint32_t stride, uint64_t modifier);
    // The checks of create and create_immed, in the order of the spec. On
    // ok, `out` holds the planes (moved out of this object).
    ParamsOutcome create(int32_t width, int32_t height, uint32_t format, uint32_t flags,
                         const Advertised &advertised, const render::Importer &importer,
                         render::DmabufAttributes &out);

private:
    struct Plane {
        render::DmabufPlane plane;
        uint64_t modifier = 0;
    };
    uint32_t version_;
    bool used_ = false;
    std::array<std::optional<Plane>, render::max_planes> planes_;
};

} // namespace proto
