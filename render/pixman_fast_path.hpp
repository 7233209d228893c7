// PixmanFastPath: wlroots 0.15's pixman renderer draws every texture through
// a pixman transform (the inverse of the draw's matrix) with a solid mask,
// even when the matrix only moves the texture by whole pixels, which is how
// every unscaled window is drawn. pixman then takes its scaled
// nearest-neighbour path, a pixel at a time: 90% of planar's CPU with eight
// full-damage windows went there (perf, bench/run --clients 8). This draws
// such a texture with a plain copy (SRC for opaque formats, OVER otherwise,
// no transform, no mask), which pixman does with its SSE2 block copy; any
// other draw (scaled, rotated, translucent, cropped) goes to wlroots as
// before. The pixels are the same either way (tests/unit/pixman_fast_path_test).
//
// It is a renderer in front of the pixman one (ForwardingRenderer), for the
// outputs to draw with. Only textures it was told the buffer of (track)
// take the fast path: a pixman
// texture reads its buffer in place, and wlroots re-reads the buffer's data
// pointer at each draw, since it may move (a read-only data buffer that is
// dropped copies its pixels away); the fast path checks the same and lets
// wlroots draw when it moved.
//
// Between begin and end the draws are not made at once but held in a
// DrawList, so that what a later opaque draw covers is never drawn (see
// draw_list.hpp); they are made when the frame ends, or before anything
// reads or rebinds the target (read_pixels, bind_buffer). No texture is
// freed between a frame's begin and end: nothing dispatches meanwhile.
#pragma once

#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "draw_list.hpp"
#include "forwarding_renderer.hpp"
#include "listener.hpp"
#include "wlr.hpp"

namespace render {

class PixmanFastPath {
public:
    // `pixman` must be a pixman renderer and outlive this.
    explicit PixmanFastPath(wlr_renderer *pixman);
    PixmanFastPath(const PixmanFastPath &) = delete;
    PixmanFastPath &operator=(const PixmanFastPath &) = delete;

    // The renderer outputs draw with (wlr_output_init_render).
    wlr_renderer *renderer() { return &proxy_.base; }

    // `texture` was made from `buffer` (wlr_texture_from_buffer): it may take
    // the fast path for as long as the buffer exists.
    void track(wlr_texture *texture, wlr_buffer *buffer);
    // Draws taken by the fast path and by wlroots since the start.
    uint64_t fast_draws() const { return fast_draws_; }
    uint64_t wlroots_draws() const { return wlroots_draws_; }
    // Pixels left undrawn since the start: under a later opaque draw.
    uint64_t hidden_pixels() const { return hidden_pixels_; }

private:
    struct Tracked {
        std::unordered_set<wlr_texture *> textures;
        wl::Listener on_destroy;
    };
    // The renderer's entries (ForwardingRenderer forwards the rest).
    static void begin(wlr_renderer *renderer, uint32_t width, uint32_t height);
    static void end(wlr_renderer *renderer);
    static bool bind_buffer(wlr_renderer *renderer, wlr_buffer *buffer);
    static void clear(wlr_renderer *renderer, const float color[4]);
    static void scissor(wlr_renderer *renderer, wlr_box *box);
    static bool render_subtexture(wlr_renderer *renderer, wlr_texture *texture, const wlr_fbox *box,
                                  const float matrix[9], float alpha);
    static void render_quad(wlr_renderer *renderer, const float color[4], const float matrix[9]);
    static bool read_pixels(wlr_renderer *renderer, uint32_t format, uint32_t *flags, uint32_t stride,
                            uint32_t width, uint32_t height, uint32_t src_x, uint32_t src_y, uint32_t dst_x,
                            uint32_t dst_y, void *data);

    // Where a texture draw may go by copy: its whole-pixel position.
    bool copyable(wlr_texture *texture, const wlr_fbox *box, const float matrix[9], float alpha, int &x,
                  int &y) const;
    bool try_copy(wlr_texture *texture, const wlr_fbox *box, const float matrix[9], float alpha);
    void draw_now(const DrawList::Draw &draw);
    // The pixels a draw may touch: `box` (if known) within the scissor and the target.
    Region reach(const pixman_box32_t *box) const;
    // Makes the held draws, then puts the scissor back as it was set.
    void flush();

    wlr_renderer *pixman_;
    ForwardingRenderer proxy_;
    std::unordered_map<wlr_texture *, wlr_buffer *> buffer_of_;
    std::unordered_map<wlr_buffer *, Tracked> tracked_;
    uint64_t fast_draws_ = 0, wlroots_draws_ = 0, hidden_pixels_ = 0;
    // Between begin and end: the frame's size, its scissor, its held draws.
    bool rendering_ = false;
    int width_ = 0, height_ = 0;
    std::optional<wlr_box> scissor_;
    DrawList held_;
};

// Where the draw's matrix (a texture of `box` to output pixels, as wlroots
// gives it) only moves the texture by whole pixels: sets x, y.
bool whole_pixel_offset(const wlr_fbox &box, const float matrix[9], int &x, int &y);

} // namespace render
