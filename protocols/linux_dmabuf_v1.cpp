#include "linux_dmabuf_v1.hpp"

#include <cinttypes>
#include <cstring>
#include <set>

#include "dmabuf_buffer.hpp"
#include "dmabuf_params.hpp"
#include "linux-dmabuf-v1-protocol.h"
#include "log.hpp"
#include "request.hpp"

namespace proto {
namespace {

void send_device(wl_resource *resource, dev_t device,
                 void (*send)(wl_resource *, wl_array *)) {
    wl_array array;
    wl_array_init(&array);
    if (void *data = wl_array_add(&array, sizeof device)) {
        memcpy(data, &device, sizeof device);
        send(resource, &array);
    }
    wl_array_release(&array);
}

// One zwp_linux_buffer_params_v1: the wire side of DmabufParams.
class Params {
public:
    Params(wl_resource *resource, LinuxDmabuf &dmabuf)
        : resource_(resource), dmabuf_(dmabuf), state_(wl_resource_get_version(resource)) {}

    void add(int32_t fd, uint32_t plane_idx, uint32_t offset, uint32_t stride, uint32_t modifier_hi,
             uint32_t modifier_lo) {
        UniqueFd owned(fd);
        uint64_t modifier = (static_cast<uint64_t>(modifier_hi) << 32) | modifier_lo;
        answer(state_.add(std::move(owned), plane_idx, offset, stride, modifier), false, 0);
    }
    void create(int32_t width, int32_t height, uint32_t format, uint32_t flags) {
        build(false, 0, width, height, format, flags);
    }
    void create_immed(uint32_t buffer_id, int32_t width, int32_t height, uint32_t format, uint32_t flags) {
        build(true, buffer_id, width, height, format, flags);
    }

    static void handle_destroy(wl_resource *resource) {
        delete static_cast<Params *>(wl_resource_get_user_data(resource));
    }

private:
    void build(bool immed, uint32_t buffer_id, int32_t width, int32_t height, uint32_t format, uint32_t flags) {
        render::DmabufAttributes attrs;
        const render::FormatTable *table = dmabuf_.table();
        Advertised advertised = [table](render::FormatPair pair) { return table && table->contains(pair); };
        ParamsOutcome outcome =
            state_.create(width, height, format, flags, advertised, dmabuf_.importer(), attrs);
        if (!answer(outcome, immed, buffer_id)) return;

        std::string why;
        DmabufBuffer *buffer = DmabufBuffer::create(std::move(attrs), dmabuf_.importer(), why);
        if (buffer == nullptr) {
            answer(ParamsOutcome::fail("import by the " + std::string(dmabuf_.importer().name()) +
                                       " importer failed: " + why),
                   immed, buffer_id);
            return;
        }
        wl_resource *buffer_resource = buffer->bind(wl_resource_get_client(resource_), immed ? buffer_id : 0);
        if (buffer_resource == nullptr) return;
        plog::debug(plog::Scope::dmabuf, "buffer %dx%d %.4s modifier 0x%" PRIx64 " %zu plane(s)%s imported (%s)",
                    width, height, reinterpret_cast<const char *>(&format), buffer->attributes().modifier,
                    buffer->attributes().planes.size(), buffer->y_invert() ? " y_invert" : "",
                    buffer->importer_name());
        if (!immed) zwp_linux_buffer_params_v1_send_created(resource_, buffer_resource);
    }

    // Puts an outcome on the wire; true when the request may go on.
    bool answer(const ParamsOutcome &outcome, bool immed, uint32_t buffer_id) {
        switch (outcome.kind) {
        case ParamsOutcome::Kind::ok:
            return true;
        case ParamsOutcome::Kind::error:
            plog::info(plog::Scope::dmabuf, "params error %u: %s", outcome.error, outcome.message.c_str());
            wl_resource_post_error(resource_, outcome.error, "%s", outcome.message.c_str());
            return false;
        case ParamsOutcome::Kind::not_dmabuf:
            // Never mapped. create_immed: the spec's invalid_wl_buffer, for a
            // cause that is none of the argument errors.
            plog::info(plog::Scope::dmabuf, "refused: %s", outcome.message.c_str());
            if (immed) {
                wl_resource_post_error(resource_, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_WL_BUFFER, "%s",
                                       outcome.message.c_str());
                return false;
            }
            zwp_linux_buffer_params_v1_send_failed(resource_);
            return false;
        case ParamsOutcome::Kind::failed:
            plog::info(plog::Scope::dmabuf, "failed: %s", outcome.message.c_str());
            // create_immed: the wl_buffer exists (the client named it) but is
            // marked failed and can never be used.
            if (immed) DmabufBuffer::create_failed_resource(wl_resource_get_client(resource_), buffer_id);
            zwp_linux_buffer_params_v1_send_failed(resource_);
            return false;
        }
        return false;
    }

    wl_resource *resource_;
    LinuxDmabuf &dmabuf_;
    DmabufParams state_;
};

const struct zwp_linux_buffer_params_v1_interface params_requests = {
    .destroy = destroy_request,
    .add = request<&Params::add>,
    .create = request<&Params::create>,
    .create_immed = request<&Params::create_immed>,
};

} // namespace

// One zwp_linux_dmabuf_feedback_v1, default (no surface) or per surface.
class Feedback {
public:
    Feedback(wl_resource *resource, LinuxDmabuf &dmabuf, wlr_surface *surface)
        : resource_(resource), dmabuf_(&dmabuf), surface_(surface) {
        dmabuf.add_feedback(this);
        if (surface != nullptr) {
            // linux-dmabuf v4: the object becomes inert with its surface.
            on_surface_destroy_.connect(&surface->events.destroy, [this](void *) {
                surface_ = nullptr;
                inert_ = true;
                on_surface_destroy_.disconnect();
            });
        }
    }
    ~Feedback() {
        if (dmabuf_ != nullptr) dmabuf_->remove_feedback(this);
    }
    Feedback(const Feedback &) = delete;
    Feedback &operator=(const Feedback &) = delete;

    wlr_surface *surface() const { return surface_; }
    void detach() { dmabuf_ = nullptr; }

    // The whole batch, ending with done (linux-dmabuf v4: resent whole).
    void send() {
        if (inert_ || dmabuf_ == nullptr || dmabuf_->table() == nullptr) return;
        const render::FormatTable &table = *dmabuf_->table();
        zwp_linux_dmabuf_feedback_v1_send_format_table(resource_, table.fd(), table.size_bytes());
        send_device(resource_, dmabuf_->main_device(), zwp_linux_dmabuf_feedback_v1_send_main_device);
        for (const Tranche &tranche : dmabuf_->tranches_for(surface_)) {
            std::vector<uint16_t> indices = table.indices_of(tranche.formats);
            if (indices.empty()) continue;
            send_device(resource_, tranche.target_device, zwp_linux_dmabuf_feedback_v1_send_tranche_target_device);
            zwp_linux_dmabuf_feedback_v1_send_tranche_flags(resource_, tranche.flags);
            wl_array array;
            wl_array_init(&array);
            if (void *data = wl_array_add(&array, indices.size() * sizeof(uint16_t))) {
                memcpy(data, indices.data(), indices.size() * sizeof(uint16_t));
                zwp_linux_dmabuf_feedback_v1_send_tranche_formats(resource_, &array);
            }
            wl_array_release(&array);
            zwp_linux_dmabuf_feedback_v1_send_tranche_done(resource_);
        }
        zwp_linux_dmabuf_feedback_v1_send_done(resource_);
    }

    static void handle_destroy(wl_resource *resource) {
        delete static_cast<Feedback *>(wl_resource_get_user_data(resource));
    }

private:
    wl_resource *resource_;
    LinuxDmabuf *dmabuf_;
    wlr_surface *surface_;
    bool inert_ = false;
    wl::Listener on_surface_destroy_;
};

namespace {

const struct zwp_linux_dmabuf_feedback_v1_interface feedback_requests = {
    .destroy = destroy_request,
};

// One bound zwp_linux_dmabuf_v1.
class Manager {
public:
    Manager(wl_resource *resource, LinuxDmabuf &dmabuf) : resource_(resource), dmabuf_(dmabuf) {}

    void create_params(uint32_t id) {
        wl_client *client = wl_resource_get_client(resource_);
        wl_resource *resource = create_resource(client, &zwp_linux_buffer_params_v1_interface, wl_resource_get_version(resource_), id);
        if (resource == nullptr) {
            return;
        }
        wl_resource_set_implementation(resource, &params_requests, new Params(resource, dmabuf_),
                                       Params::handle_destroy);
    }
    void get_default_feedback(uint32_t id) { make_feedback(id, nullptr); }
    void get_surface_feedback(uint32_t id, wl_resource *surface) {
        make_feedback(id, wlr_surface_from_resource(surface));
    }

    // Versions 1-3: the format (and v3 modifier) events; v4+: feedback only.
    void advertise() {
        uint32_t version = wl_resource_get_version(resource_);
        if (version >= 4 || dmabuf_.table() == nullptr) return;
        std::set<uint32_t> formats;
        for (const render::FormatPair &pair : dmabuf_.table()->pairs()) {
            if (formats.insert(pair.format).second) zwp_linux_dmabuf_v1_send_format(resource_, pair.format);
            if (version >= 3) {
                zwp_linux_dmabuf_v1_send_modifier(resource_, pair.format, static_cast<uint32_t>(pair.modifier >> 32),
                                                  static_cast<uint32_t>(pair.modifier & 0xffffffff));
            }
        }
    }

    static void handle_destroy(wl_resource *resource) {
        delete static_cast<Manager *>(wl_resource_get_user_data(resource));
    }

private:
    void make_feedback(uint32_t id, wlr_surface *surface) {
        wl_client *client = wl_resource_get_client(resource_);
        wl_resource *resource = create_resource(client, &zwp_linux_dmabuf_feedback_v1_interface, wl_resource_get_version(resource_), id);
        if (resource == nullptr) {
            return;
        }
        auto *feedback = new Feedback(resource, dmabuf_, surface);
        wl_resource_set_implementation(resource, &feedback_requests, feedback, Feedback::handle_destroy);
        feedback->send();
    }

    wl_resource *resource_;
    LinuxDmabuf &dmabuf_;
};

const struct zwp_linux_dmabuf_v1_interface manager_requests = {
    .destroy = destroy_request,
    .create_params = request<&Manager::create_params>,
    .get_default_feedback = request<&Manager::get_default_feedback>,
    .get_surface_feedback = request<&Manager::get_surface_feedback>,
};

} // namespace

LinuxDmabuf::LinuxDmabuf(wl_display *display, render::Importer &importer, dev_t main_device)
    : importer_(importer), main_device_(main_device) {
    DmabufBuffer::register_resource_interface();
    set_formats(importer.formats());
    global_ = wl_global_create(display, &zwp_linux_dmabuf_v1_interface, version, this, bind);
    plog::info(plog::Scope::dmabuf, "linux-dmabuf v%u: %s importer, %zu format/modifier pairs, main device %u:%u",
               version, importer.name(), table_ ? table_->pairs().size() : size_t{0}, major(main_device),
               minor(main_device));
}

LinuxDmabuf::~LinuxDmabuf() {
    // Clients are gone before the server destroys this (Server::~Server);
    // detach anything left so that no object points here.
    for (Feedback *feedback : feedbacks_) feedback->detach();
    if (global_ != nullptr) wl_global_destroy(global_);
}

void LinuxDmabuf::bind(wl_client *client, void *data, uint32_t version, uint32_t id) {
    auto *self = static_cast<LinuxDmabuf *>(data);
    wl_resource *resource = create_resource(client, &zwp_linux_dmabuf_v1_interface, version, id);
    if (resource == nullptr) {
        return;
    }
    auto *manager = new Manager(resource, *self);
    wl_resource_set_implementation(resource, &manager_requests, manager, Manager::handle_destroy);
    manager->advertise();
}

void LinuxDmabuf::set_formats(std::vector<render::FormatPair> pairs) {
    auto table = render::FormatTable::create(std::move(pairs));
    if (!table) return; // keep the previous table (logged)
    table_ = std::move(table);
    resend_all();
}

void LinuxDmabuf::set_surface_tranches(wlr_surface *surface, std::vector<Tranche> tranches) {
    if (tranches.empty()) {
        surfaces_.erase(surface);
    } else {
        auto &policy = surfaces_[surface];
        if (!policy) {
            policy = std::make_unique<SurfacePolicy>();
            policy->on_destroy.connect(&surface->events.destroy, [this, surface](void *) { surfaces_.erase(surface); });
        }
        policy->tranches = std::move(tranches);
    }
    for (Feedback *feedback : feedbacks_) {
        if (feedback->surface() == surface) feedback->send();
    }
}

std::vector<Tranche> LinuxDmabuf::tranches_for(wlr_surface *surface) const {
    if (surface != nullptr) {
        auto it = surfaces_.find(surface);
        if (it != surfaces_.end() && !it->second->tranches.empty()) return it->second->tranches;
    }
    // Default feedback: one tranche, everything the importer takes.
    Tranche tranche;
    tranche.target_device = main_device_;
    if (table_) tranche.formats = table_->pairs();
    return {tranche};
}

void LinuxDmabuf::resend_all() {
    for (Feedback *feedback : feedbacks_) feedback->send();
}

} // namespace proto
