#include "pixman_fast_path.hpp"

#include <algorithm>
#include <cmath>

namespace render {

bool whole_pixel_offset(const wlr_fbox &box, const float matrix[9], int &x, int &y) {
    if (box.x != 0 || box.y != 0 || box.width <= 0 || box.height <= 0) return false;
    // wlroots' pixman renderer scales the matrix by the box's size and
    // inverts it: a texel maps to an output pixel by the matrix below.
    auto near = [](double a, double b) { return std::fabs(a - b) < 1e-4; };
    double sx = matrix[0] / box.width, sy = matrix[4] / box.height;
    if (!near(sx, 1) || !near(sy, 1) || !near(matrix[1], 0) || !near(matrix[3], 0) || !near(matrix[6], 0) ||
        !near(matrix[7], 0) || !near(matrix[8], 1)) {
        return false;
    }
    double tx = std::round(matrix[2]), ty = std::round(matrix[5]);
    if (!near(matrix[2], tx) || !near(matrix[5], ty) || std::fabs(tx) > 1e6 || std::fabs(ty) > 1e6) return false;
    x = static_cast<int>(tx);
    y = static_cast<int>(ty);
    return true;
}

namespace {

// Where a quad's matrix (a unit square to output pixels) only scales by
// whole pixels and moves by whole pixels, as wlr_scene's rects are drawn:
// its box.
bool quad_box(const float matrix[9], pixman_box32_t &box) {
    auto whole = [](float v) { return v == std::round(v) && std::fabs(v) < 1e6f; };
    if (matrix[1] != 0 || matrix[3] != 0 || matrix[6] != 0 || matrix[7] != 0 || matrix[8] != 1) return false;
    if (matrix[0] <= 0 || matrix[4] <= 0 || !whole(matrix[0]) || !whole(matrix[4]) || !whole(matrix[2]) ||
        !whole(matrix[5])) {
        return false;
    }
    box = {static_cast<int32_t>(matrix[2]), static_cast<int32_t>(matrix[5]),
           static_cast<int32_t>(matrix[2] + matrix[0]), static_cast<int32_t>(matrix[5] + matrix[4])};
    return true;
}

} // namespace

PixmanFastPath::PixmanFastPath(wlr_renderer *pixman) : pixman_(pixman), proxy_(pixman, this) {
    proxy_.impl.begin = &PixmanFastPath::begin;
    proxy_.impl.end = &PixmanFastPath::end;
    proxy_.impl.bind_buffer = &PixmanFastPath::bind_buffer;
    proxy_.impl.clear = &PixmanFastPath::clear;
    proxy_.impl.scissor = &PixmanFastPath::scissor;
    proxy_.impl.render_subtexture_with_matrix = &PixmanFastPath::render_subtexture;
    proxy_.impl.render_quad_with_matrix = &PixmanFastPath::render_quad;
    proxy_.impl.read_pixels = &PixmanFastPath::read_pixels;
    proxy_.init();
}

void PixmanFastPath::track(wlr_texture *texture, wlr_buffer *buffer) {
    if (texture == nullptr || buffer == nullptr || !wlr_texture_is_pixman(texture)) return;
    // A texture at the address of one gone: it is this buffer's now.
    if (auto old = buffer_of_.find(texture); old != buffer_of_.end()) tracked_[old->second].textures.erase(texture);
    buffer_of_[texture] = buffer;
    Tracked &entry = tracked_[buffer];
    entry.textures.insert(texture);
    if (!entry.on_destroy.connected()) {
        // A texture holds its buffer: once the buffer goes, its textures are gone.
        entry.on_destroy.connect(&buffer->events.destroy, [this, buffer](void *) {
            for (wlr_texture *gone : tracked_[buffer].textures) buffer_of_.erase(gone);
            tracked_.erase(buffer);
        });
    }
}

void PixmanFastPath::begin(wlr_renderer *renderer, uint32_t width, uint32_t height) {
    auto &self = ForwardingRenderer::owner_of<PixmanFastPath>(renderer);
    self.flush();
    self.pixman_->impl->begin(self.pixman_, width, height);
    self.rendering_ = true;
    self.width_ = static_cast<int>(width);
    self.height_ = static_cast<int>(height);
    self.scissor_.reset();
}

void PixmanFastPath::end(wlr_renderer *renderer) {
    auto &self = ForwardingRenderer::owner_of<PixmanFastPath>(renderer);
    self.flush();
    self.rendering_ = false;
    self.pixman_->impl->end(self.pixman_);
}

bool PixmanFastPath::bind_buffer(wlr_renderer *renderer, wlr_buffer *buffer) {
    auto &self = ForwardingRenderer::owner_of<PixmanFastPath>(renderer);
    self.flush();
    self.rendering_ = false;
    return self.pixman_->impl->bind_buffer(self.pixman_, buffer);
}

bool PixmanFastPath::read_pixels(wlr_renderer *renderer, uint32_t format, uint32_t *flags, uint32_t stride,
                                 uint32_t width, uint32_t height, uint32_t src_x, uint32_t src_y, uint32_t dst_x,
                                 uint32_t dst_y, void *data) {
    auto &self = ForwardingRenderer::owner_of<PixmanFastPath>(renderer);
    self.flush();
    return self.pixman_->impl->read_pixels(self.pixman_, format, flags, stride, width, height, src_x, src_y, dst_x,
                                           dst_y, data);
}

void PixmanFastPath::scissor(wlr_renderer *renderer, wlr_box *box) {
    auto &self = ForwardingRenderer::owner_of<PixmanFastPath>(renderer);
    if (!self.rendering_) {
        self.pixman_->impl->scissor(self.pixman_, box);
        return;
    }
    self.scissor_ = box != nullptr ? std::optional<wlr_box>(*box) : std::nullopt;
}

Region PixmanFastPath::reach(const pixman_box32_t *box) const {
    Region r(0, 0, width_, height_);
    if (scissor_) {
        Region s(scissor_->x, scissor_->y, scissor_->width, scissor_->height);
        pixman_region32_intersect(r.get(), r.get(), s.get());
    }
    if (box != nullptr) pixman_region32_intersect_rect(r.get(), r.get(), box->x1, box->y1, box->x2 - box->x1, box->y2 - box->y1);
    return r;
}

void PixmanFastPath::clear(wlr_renderer *renderer, const float color[4]) {
    auto &self = ForwardingRenderer::owner_of<PixmanFastPath>(renderer);
    if (!self.rendering_) {
        self.pixman_->impl->clear(self.pixman_, color);
        return;
    }
    DrawList::Draw draw;
    draw.kind = DrawList::Draw::Kind::clear;
    std::copy(color, color + 4, draw.color);
    draw.reach = self.reach(nullptr);
    draw.opaque = true; // pixman's clear is a SRC fill
    self.held_.add(std::move(draw));
}

void PixmanFastPath::render_quad(wlr_renderer *renderer, const float color[4], const float matrix[9]) {
    auto &self = ForwardingRenderer::owner_of<PixmanFastPath>(renderer);
    if (!self.rendering_) {
        self.pixman_->impl->render_quad_with_matrix(self.pixman_, color, matrix);
        return;
    }
    DrawList::Draw draw;
    draw.kind = DrawList::Draw::Kind::quad;
    std::copy(color, color + 4, draw.color);
    std::copy(matrix, matrix + 9, draw.matrix);
    pixman_box32_t box;
    bool boxed = quad_box(matrix, box);
    draw.reach = self.reach(boxed ? &box : nullptr);
    draw.opaque = boxed && color[3] == 1.0f; // OVER with an opaque colour
    self.held_.add(std::move(draw));
}

bool PixmanFastPath::render_subtexture(wlr_renderer *renderer, wlr_texture *texture, const wlr_fbox *box,
                                       const float matrix[9], float alpha) {
    auto &self = ForwardingRenderer::owner_of<PixmanFastPath>(renderer);
    DrawList::Draw draw;
    draw.kind = DrawList::Draw::Kind::texture;
    draw.texture = texture;
    draw.box = *box;
    std::copy(matrix, matrix + 9, draw.matrix);
    draw.alpha = alpha;
    if (!self.rendering_) {
        self.draw_now(draw);
        return true;
    }
    int x = 0, y = 0;
    if (self.copyable(texture, box, matrix, alpha, x, y)) {
        pixman_box32_t dest{x, y, x + static_cast<int32_t>(texture->width), y + static_cast<int32_t>(texture->height)};
        draw.reach = self.reach(&dest);
        // Copied with SRC, or (should its buffer move) drawn by wlroots
        // with OVER and an opaque mask: every pixel replaced either way.
        pixman_image_t *image = wlr_pixman_texture_get_image(texture);
        draw.opaque = image != nullptr && PIXMAN_FORMAT_A(pixman_image_get_format(image)) == 0;
    } else {
        draw.reach = self.reach(nullptr);
    }
    self.held_.add(std::move(draw));
    return true;
}

void PixmanFastPath::draw_now(const DrawList::Draw &draw) {
    switch (draw.kind) {
    case DrawList::Draw::Kind::clear:
        pixman_->impl->clear(pixman_, draw.color);
        break;
    case DrawList::Draw::Kind::quad:
        pixman_->impl->render_quad_with_matrix(pixman_, draw.color, draw.matrix);
        break;
    case DrawList::Draw::Kind::texture:
        if (try_copy(draw.texture, &draw.box, draw.matrix, draw.alpha)) {
            fast_draws_++;
        } else {
            wlroots_draws_++;
            pixman_->impl->render_subtexture_with_matrix(pixman_, draw.texture, &draw.box, draw.matrix, draw.alpha);
        }
        break;
    }
}

void PixmanFastPath::flush() {
    if (held_.empty()) return;
    pixman_image_t *target = wlr_pixman_renderer_get_current_image(pixman_);
    hidden_pixels_ += held_.replay([&](const DrawList::Draw &draw, const Region &seen) {
        // The target's clip is what wlroots' scissor sets: the draw is
        // clipped to what is seen of it, a region of any shape.
        if (target != nullptr) pixman_image_set_clip_region32(target, const_cast<pixman_region32_t *>(seen.get()));
        draw_now(draw);
    });
    wlr_box *box = scissor_ ? &*scissor_ : nullptr;
    pixman_->impl->scissor(pixman_, box);
}

bool PixmanFastPath::copyable(wlr_texture *texture, const wlr_fbox *box, const float matrix[9], float alpha, int &x,
                              int &y) const {
    if (alpha != 1.0f || !whole_pixel_offset(*box, matrix, x, y)) return false;
    if (box->width != texture->width || box->height != texture->height) return false;
    return buffer_of_.count(texture) != 0;
}

bool PixmanFastPath::try_copy(wlr_texture *texture, const wlr_fbox *box, const float matrix[9], float alpha) {
    int x = 0, y = 0;
    if (!copyable(texture, box, matrix, alpha, x, y)) return false;
    auto found = buffer_of_.find(texture);
    pixman_image_t *source = wlr_pixman_texture_get_image(texture);
    pixman_image_t *target = wlr_pixman_renderer_get_current_image(pixman_);
    if (source == nullptr || target == nullptr) return false;
    void *data = nullptr;
    uint32_t format = 0;
    size_t stride = 0;
    if (!wlr_buffer_begin_data_ptr_access(found->second, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format, &stride)) {
        return false;
    }
    // Moved since the image was made: wlroots makes it again.
    bool current = data == pixman_image_get_data(source);
    if (current) {
        bool opaque = PIXMAN_FORMAT_A(pixman_image_get_format(source)) == 0;
        pixman_image_set_transform(source, nullptr); // wlroots leaves its last one set
        // The target's clip is the renderer's scissor.
        pixman_image_composite32(opaque ? PIXMAN_OP_SRC : PIXMAN_OP_OVER, source, nullptr, target, 0, 0, 0, 0, x, y,
                                 texture->width, texture->height);
    }
    wlr_buffer_end_data_ptr_access(found->second);
    return current;
}

} // namespace render
