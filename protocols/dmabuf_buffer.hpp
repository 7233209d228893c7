// The wl_buffer of a linux-dmabuf buffer and the wlr_buffer behind it. The
// wlr_buffer offers get_dmabuf (the gles2 renderer imports it as an EGLImage)
// and begin_data_ptr_access (the pixman renderer reads the CPU mapping), and
// is registered with wlr_buffer_register_resource_interface so that
// wlr_compositor and wlr_scene take the wl_buffer as they take wl_shm.
// It lives until the wl_buffer is destroyed and no one holds a lock.
#pragma once

#include <memory>
#include <string>

#include "importer.hpp"
#include "listener.hpp"
#include "wlr.hpp"

namespace proto {

class DmabufBuffer {
public:
    // Imports `attrs`; null with a reason when the importer refuses.
    static DmabufBuffer *create(render::DmabufAttributes attrs, render::Importer &importer, std::string &why);
    // Gives the buffer its wl_buffer (`id` 0: a server-allocated id, for
    // `created`). Null when out of memory (the buffer is then dropped).
    wl_resource *bind(wl_client *client, uint32_t id);
    // The wl_buffer of a create_immed that failed: exists, never usable.
    static wl_resource *create_failed_resource(wl_client *client, uint32_t id);

    // Ours and usable (not a failed create_immed); null otherwise.
    static DmabufBuffer *from_resource(wl_resource *resource);
    static DmabufBuffer *from_wlr(wlr_buffer *buffer);
    static void register_resource_interface();
    // A surface's commit made `buffer` its content (ShmYuvRenderer::on_committed);
    // `damage` as there. For ours, the import learns it may have changed.
    static void committed(wlr_buffer *buffer, const pixman_region32_t *damage);

    wlr_buffer *wlr() { return &wlr_.base; }
    const render::DmabufAttributes &attributes() const { return attrs_; }
    const char *importer_name() const { return importer_name_; }
    unsigned import_count() const { return imported_ ? imported_->import_count() : 0; }
    // Shown from a CPU-converted copy rather than the dma-buf itself.
    bool converted() const { return imported_ && !imported_->shares_dmabuf(); }
    // linux-dmabuf flag y_invert, for composition and scanout decisions.
    bool y_invert() const { return attrs_.y_invert; }

private:
    explicit DmabufBuffer(render::DmabufAttributes attrs);
    ~DmabufBuffer() = default;

    static void handle_destroy(wlr_buffer *buffer);
    static bool handle_get_dmabuf(wlr_buffer *buffer, wlr_dmabuf_attributes *attribs);
    static bool handle_begin_access(wlr_buffer *buffer, uint32_t flags, void **data, uint32_t *format,
                                    size_t *stride);
    static void handle_end_access(wlr_buffer *buffer);
    static void handle_resource_destroy(wl_resource *resource);
    static const wlr_buffer_impl impl_;

    // Standard layout, so that the wlr_buffer leads back to its owner.
    struct Base {
        wlr_buffer base;
        DmabufBuffer *owner;
    };
    Base wlr_{};
    render::DmabufAttributes attrs_;
    // Declared after attrs_: destroyed first, while the plane fds are open.
    std::unique_ptr<render::ImportedBuffer> imported_;
    const char *importer_name_ = "";
    wl_resource *resource_ = nullptr;
    wl::Listener on_release_;
};

} // namespace proto
