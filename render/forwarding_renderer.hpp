// ForwardingRenderer: a wlr_renderer of planar's own in front of a real one
// (wlroots' pixman or GLES2 renderer): every call goes to the real renderer,
// except the entries its owner replaces in `impl` before init(). wlroots'
// renderers check that they are called with their own wlr_renderer (pixman
// asserts it), so a replaced entry must never pass `base` on: it reaches the
// real renderer through `real`, as the forwarders do.
#pragma once

#include "wlr.hpp"

namespace render {

struct ForwardingRenderer {
    wlr_renderer base{}; // first member: wlroots hands us &base
    wlr_renderer *real;
    void *owner;
    wlr_renderer_impl impl; // forwarders until the owner replaces some

    ForwardingRenderer(wlr_renderer *real_renderer, void *owner_object);
    ~ForwardingRenderer();
    ForwardingRenderer(const ForwardingRenderer &) = delete;
    ForwardingRenderer &operator=(const ForwardingRenderer &) = delete;

    // Call once, after replacing entries of `impl`.
    void init() { wlr_renderer_init(&base, &impl); }

    static ForwardingRenderer &of(wlr_renderer *renderer) { return *reinterpret_cast<ForwardingRenderer *>(renderer); }
    static wlr_renderer *real_of(wlr_renderer *renderer) { return of(renderer).real; }
    template <typename Owner>
    static Owner &owner_of(wlr_renderer *renderer) {
        return *static_cast<Owner *>(of(renderer).owner);
    }
};

} // namespace render
