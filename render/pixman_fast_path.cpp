#include "pixman_fast_path.hpp"

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

PixmanFastPath::PixmanFastPath(wlr_renderer *pixman) : pixman_(pixman), proxy_(pixman, this) {
    proxy_.impl.render_subtexture_with_matrix = &PixmanFastPath::render_subtexture;
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

bool PixmanFastPath::render_subtexture(wlr_renderer *renderer, wlr_texture *texture, const wlr_fbox *box,
                                       const float matrix[9], float alpha) {
    auto &self = ForwardingRenderer::owner_of<PixmanFastPath>(renderer);
    if (self.try_copy(texture, box, matrix, alpha)) {
        self.fast_draws_++;
        return true;
    }
    self.wlroots_draws_++;
    return self.pixman_->impl->render_subtexture_with_matrix(self.pixman_, texture, box, matrix, alpha);
}

bool PixmanFastPath::try_copy(wlr_texture *texture, const wlr_fbox *box, const float matrix[9], float alpha) {
    int x = 0, y = 0;
    if (alpha != 1.0f || !whole_pixel_offset(*box, matrix, x, y)) return false;
    if (box->width != texture->width || box->height != texture->height) return false;
    auto found = buffer_of_.find(texture);
    if (found == buffer_of_.end()) return false;
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
