#include "dmabuf_buffer.hpp"

#include <cstddef>

#include "log.hpp"
#include "request.hpp"

namespace proto {
namespace {

const struct wl_buffer_interface buffer_requests = {
    .destroy = [](wl_client *, wl_resource *resource) { wl_resource_destroy(resource); },
};

bool is_instance(wl_resource *resource) {
    return wl_resource_instance_of(resource, &wl_buffer_interface, &buffer_requests);
}

wlr_buffer *buffer_from_resource(wl_resource *resource) {
    DmabufBuffer *buffer = DmabufBuffer::from_resource(resource);
    if (buffer == nullptr) {
        // A create_immed that failed: the spec leaves the use of such a
        // wl_buffer to the compositor; wlroots refuses it as unknown.
        plog::info(plog::Scope::dmabuf, "client used the wl_buffer of a failed create_immed");
        return nullptr;
    }
    return buffer->wlr();
}

const wlr_buffer_resource_interface resource_interface = {
    .name = "planar_linux_dmabuf_v1",
    .is_instance = is_instance,
    .from_resource = buffer_from_resource,
};

} // namespace

const wlr_buffer_impl DmabufBuffer::impl_ = {
    .destroy = DmabufBuffer::handle_destroy,
    .get_dmabuf = DmabufBuffer::handle_get_dmabuf,
    .get_shm = nullptr,
    .begin_data_ptr_access = DmabufBuffer::handle_begin_access,
    .end_data_ptr_access = DmabufBuffer::handle_end_access,
};

DmabufBuffer::DmabufBuffer(render::DmabufAttributes attrs) : attrs_(std::move(attrs)) {
    wlr_.owner = this;
    wlr_buffer_init(&wlr_.base, &impl_, attrs_.width, attrs_.height);
    on_release_.connect(&wlr_.base.events.release, [this](void *) {
        if (resource_ != nullptr) wl_buffer_send_release(resource_);
    });
}

void DmabufBuffer::register_resource_interface() { wlr_buffer_register_resource_interface(&resource_interface); }

DmabufBuffer *DmabufBuffer::create(render::DmabufAttributes attrs, render::Importer &importer, std::string &why) {
    auto *buffer = new DmabufBuffer(std::move(attrs));
    // get_dmabuf already answers (the EGL importer asks the renderer to
    // import through it); imported_ is set only once the import succeeded.
    auto imported = importer.import(buffer->attrs_, buffer->wlr(), why);
    if (!imported) {
        wlr_buffer_drop(buffer->wlr());
        return nullptr;
    }
    buffer->imported_ = std::move(imported);
    buffer->importer_name_ = importer.name();
    return buffer;
}

wl_resource *DmabufBuffer::bind(wl_client *client, uint32_t id) {
    resource_ = create_resource(client, &wl_buffer_interface, 1, id);
    if (resource_ == nullptr) {
        wlr_buffer_drop(wlr());
        return nullptr;
    }
    wl_resource_set_implementation(resource_, &buffer_requests, this, handle_resource_destroy);
    return resource_;
}

wl_resource *DmabufBuffer::create_failed_resource(wl_client *client, uint32_t id) {
    wl_resource *resource = create_resource(client, &wl_buffer_interface, 1, id);
    if (resource == nullptr) {
        return nullptr;
    }
    wl_resource_set_implementation(resource, &buffer_requests, nullptr, nullptr);
    return resource;
}

DmabufBuffer *DmabufBuffer::from_resource(wl_resource *resource) {
    if (!is_instance(resource)) return nullptr;
    return static_cast<DmabufBuffer *>(wl_resource_get_user_data(resource));
}

DmabufBuffer *DmabufBuffer::from_wlr(wlr_buffer *buffer) {
    if (buffer->impl != &impl_) return nullptr;
    return reinterpret_cast<Base *>(buffer)->owner;
}

void DmabufBuffer::committed(wlr_buffer *buffer, const pixman_region32_t *damage) {
    DmabufBuffer *self = from_wlr(buffer);
    if (self != nullptr && self->imported_) self->imported_->content_changed(damage);
}

void DmabufBuffer::handle_resource_destroy(wl_resource *resource) {
    auto *self = static_cast<DmabufBuffer *>(wl_resource_get_user_data(resource));
    self->resource_ = nullptr;
    wlr_buffer_drop(self->wlr()); // may delete self
}

void DmabufBuffer::handle_destroy(wlr_buffer *buffer) { delete from_wlr(buffer); }

bool DmabufBuffer::handle_get_dmabuf(wlr_buffer *buffer, wlr_dmabuf_attributes *attribs) {
    DmabufBuffer *self = from_wlr(buffer);
    // A converted buffer is shown from its copy (begin_data_ptr_access).
    if (self->imported_ && !self->imported_->shares_dmabuf()) return false;
    if (self->imported_) self->imported_->dmabuf_requested(buffer);
    // wlroots 0.15: the fds of get_dmabuf stay owned by the buffer.
    self->attrs_.borrow_into(*attribs);
    return true;
}

bool DmabufBuffer::handle_begin_access(wlr_buffer *buffer, uint32_t flags, void **data, uint32_t *format,
                                       size_t *stride) {
    DmabufBuffer *self = from_wlr(buffer);
    // Client buffers are read-only to planar.
    if ((flags & WLR_BUFFER_DATA_PTR_ACCESS_WRITE) || !self->imported_) return false;
    return self->imported_->begin_read(data, format, stride);
}

void DmabufBuffer::handle_end_access(wlr_buffer *buffer) {
    DmabufBuffer *self = from_wlr(buffer);
    if (self->imported_) self->imported_->end_read();
}

} // namespace proto
