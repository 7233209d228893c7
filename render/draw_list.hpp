// DrawList: the draws of one frame, held back until the frame ends so that
// pixels a later opaque draw replaces are never drawn. wlroots 0.15's scene
// draws every node under the frame's damage bottom to top, so where windows
// overlap the lower one is drawn and then drawn over: with eight 640x360
// windows that overlap by 32 px at their edges, about a tenth of the
// pixels copied per frame were never seen.
//
// The list knows nothing of how a draw is made: its owner (PixmanFastPath)
// gives each draw its reach (every pixel it may touch, scissor included)
// and says whether it is opaque (it replaces every pixel of its reach, so
// what is under it cannot show). At the end each draw keeps the part of its
// reach that no later opaque draw replaces, and is replayed clipped to it.
// The pixels are the same as drawing everything in order.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "region.hpp"
#include "wlr.hpp"

namespace render {

class DrawList {
public:
    struct Draw {
        enum class Kind { clear, texture, quad };
        Kind kind = Kind::clear;
        float color[4]{}; // clear, quad
        wlr_texture *texture = nullptr;
        wlr_fbox box{};
        float matrix[9]{};
        float alpha = 1;
        Region reach;
        bool opaque = false;
    };

    void add(Draw draw) { draws_.push_back(std::move(draw)); }
    bool empty() const { return draws_.empty(); }

    // Calls `draw` in order for each draw with the part of its reach that
    // is seen (never empty), then forgets every draw. Returns the pixels
    // left undrawn, hidden under later opaque draws.
    uint64_t replay(const std::function<void(const Draw &, const Region &seen)> &draw);

private:
    std::vector<Draw> draws_;
};

} // namespace render
