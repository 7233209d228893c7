#include "forwarding_renderer.hpp"

namespace render {
namespace {

wlr_renderer *real(wlr_renderer *proxy) { return ForwardingRenderer::real_of(proxy); }

// The optional entries are present only where the real renderer has them
// (wlroots asks whether an entry exists before it calls it).
bool bind_buffer(wlr_renderer *r, wlr_buffer *buffer) { return real(r)->impl->bind_buffer(real(r), buffer); }
void begin(wlr_renderer *r, uint32_t w, uint32_t h) { real(r)->impl->begin(real(r), w, h); }
void end(wlr_renderer *r) { real(r)->impl->end(real(r)); }
void clear(wlr_renderer *r, const float color[4]) { real(r)->impl->clear(real(r), color); }
void scissor(wlr_renderer *r, wlr_box *box) { real(r)->impl->scissor(real(r), box); }
bool render_subtexture(wlr_renderer *r, wlr_texture *t, const wlr_fbox *box, const float matrix[9], float alpha) {
    return real(r)->impl->render_subtexture_with_matrix(real(r), t, box, matrix, alpha);
}
void render_quad(wlr_renderer *r, const float color[4], const float matrix[9]) {
    real(r)->impl->render_quad_with_matrix(real(r), color, matrix);
}
const uint32_t *shm_formats(wlr_renderer *r, size_t *len) { return real(r)->impl->get_shm_texture_formats(real(r), len); }
const wlr_drm_format_set *dmabuf_formats(wlr_renderer *r) { return real(r)->impl->get_dmabuf_texture_formats(real(r)); }
const wlr_drm_format_set *render_formats(wlr_renderer *r) { return real(r)->impl->get_render_formats(real(r)); }
uint32_t preferred_read_format(wlr_renderer *r) { return real(r)->impl->preferred_read_format(real(r)); }
bool read_pixels(wlr_renderer *r, uint32_t fmt, uint32_t *flags, uint32_t stride, uint32_t width, uint32_t height,
                 uint32_t src_x, uint32_t src_y, uint32_t dst_x, uint32_t dst_y, void *data) {
    return real(r)->impl->read_pixels(real(r), fmt, flags, stride, width, height, src_x, src_y, dst_x, dst_y, data);
}
void destroy(wlr_renderer *) {} // the proxy is a member of its owner
int drm_fd(wlr_renderer *r) { return real(r)->impl->get_drm_fd(real(r)); }
uint32_t buffer_caps(wlr_renderer *r) { return real(r)->impl->get_render_buffer_caps(real(r)); }
wlr_texture *texture_from_buffer(wlr_renderer *r, wlr_buffer *buffer) {
    return real(r)->impl->texture_from_buffer(real(r), buffer);
}

} // namespace

ForwardingRenderer::ForwardingRenderer(wlr_renderer *real_renderer, void *owner_object)
    : real(real_renderer), owner(owner_object),
      impl{
          .bind_buffer = bind_buffer,
          .begin = begin,
          .end = end,
          .clear = clear,
          .scissor = scissor,
          .render_subtexture_with_matrix = render_subtexture,
          .render_quad_with_matrix = render_quad,
          .get_shm_texture_formats = shm_formats,
          .get_dmabuf_texture_formats = dmabuf_formats,
          .get_render_formats = render_formats,
          .preferred_read_format = preferred_read_format,
          .read_pixels = read_pixels,
          .destroy = destroy,
          .get_drm_fd = drm_fd,
          .get_render_buffer_caps = buffer_caps,
          .texture_from_buffer = texture_from_buffer,
      } {
    const wlr_renderer_impl &theirs = *real->impl;
    if (theirs.bind_buffer == nullptr) impl.bind_buffer = nullptr;
    if (theirs.end == nullptr) impl.end = nullptr;
    if (theirs.get_dmabuf_texture_formats == nullptr) impl.get_dmabuf_texture_formats = nullptr;
    if (theirs.get_render_formats == nullptr) impl.get_render_formats = nullptr;
    if (theirs.preferred_read_format == nullptr) impl.preferred_read_format = nullptr;
    if (theirs.read_pixels == nullptr) impl.read_pixels = nullptr;
    if (theirs.get_drm_fd == nullptr) impl.get_drm_fd = nullptr;
    if (theirs.texture_from_buffer == nullptr) impl.texture_from_buffer = nullptr;
}

// Only after init(): wlroots 0.15 frees a renderer whose impl has no destroy,
// and ours has one that does nothing.
ForwardingRenderer::~ForwardingRenderer() {
    if (base.impl != nullptr) wlr_renderer_destroy(&base);
}

} // namespace render
