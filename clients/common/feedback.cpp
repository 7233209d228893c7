#include "feedback.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

#include "drm_names.hpp"
#include "options.hpp"
#include "unique_fd.hpp"

namespace client {

namespace {

// linux-dmabuf v4: format table entries are 16 bytes: u32 format, 4 bytes
// padding, u64 modifier.
struct TableEntry {
    uint32_t format;
    uint32_t pad;
    uint64_t modifier;
};
static_assert(sizeof(TableEntry) == 16);

dev_t dev_from_array(wl_array *array) {
    dev_t dev = 0;
    if (array->size == sizeof(dev_t)) memcpy(&dev, array->data, sizeof dev);
    return dev;
}

} // namespace

bool Tranche::has(uint32_t format, uint64_t modifier) const {
    for (const auto &fm : formats)
        if (fm.format == format && fm.modifier == modifier) return true;
    return false;
}

std::vector<uint64_t> Tranche::modifiers(uint32_t format) const {
    std::vector<uint64_t> mods;
    for (const auto &fm : formats)
        if (fm.format == format) mods.push_back(fm.modifier);
    return mods;
}

const Tranche *FeedbackState::find(uint32_t format, uint64_t modifier) const {
    for (const auto &t : tranches)
        if (t.has(format, modifier)) return &t;
    return nullptr;
}

const zwp_linux_dmabuf_feedback_v1_listener Feedback::listener = {
    .done =
        [](void *data, zwp_linux_dmabuf_feedback_v1 *) {
            auto *f = static_cast<Feedback *>(data);
            if (!f->in_batch_) { // a lone `done`: nothing changed
                f->batches_++;
                if (f->on_done_) f->on_done_(f->state_);
                return;
            }
            f->pending_.table_entries = f->table_.size();
            f->state_ = std::move(f->pending_);
            f->pending_ = {};
            f->in_batch_ = false;
            f->batches_++;
            if (f->on_done_) f->on_done_(f->state_);
        },
    .format_table =
        [](void *data, zwp_linux_dmabuf_feedback_v1 *, int32_t raw_fd, uint32_t size) {
            UniqueFd fd(raw_fd);
            auto *f = static_cast<Feedback *>(data);
            f->begin_batch();
            f->table_.clear();
            if (size % sizeof(TableEntry) != 0) {
                f->pending_.warnings.push_back("format table size " + std::to_string(size) +
                                               " is not a multiple of 16");
            }
            size_t count = size / sizeof(TableEntry);
            if (count == 0) return;
            // The table is read-only and sealed: MAP_PRIVATE, never PROT_WRITE.
            void *map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
            if (map == MAP_FAILED) {
                f->pending_.warnings.push_back(std::string("cannot map the format table: ") + strerror(errno));
                return;
            }
            const auto *entries = static_cast<const TableEntry *>(map);
            for (size_t i = 0; i < count; i++) f->table_.push_back({entries[i].format, entries[i].modifier});
            munmap(map, size);
        },
    .main_device =
        [](void *data, zwp_linux_dmabuf_feedback_v1 *, wl_array *device) {
            auto *f = static_cast<Feedback *>(data);
            f->begin_batch();
            f->pending_.main_device = dev_from_array(device);
        },
    .tranche_done =
        [](void *data, zwp_linux_dmabuf_feedback_v1 *) {
            auto *f = static_cast<Feedback *>(data);
            f->begin_batch();
            f->pending_.tranches.push_back(std::move(f->tranche_));
            f->tranche_ = {};
        },
    .tranche_target_device =
        [](void *data, zwp_linux_dmabuf_feedback_v1 *, wl_array *device) {
            auto *f = static_cast<Feedback *>(data);
            f->begin_batch();
            f->tranche_.target_device = dev_from_array(device);
        },
    .tranche_formats =
        [](void *data, zwp_linux_dmabuf_feedback_v1 *, wl_array *indices) {
            auto *f = static_cast<Feedback *>(data);
            f->begin_batch();
            // linux-dmabuf v4: tranche formats are u16 indices into the table.
            const auto *idx = static_cast<const uint16_t *>(indices->data);
            for (size_t i = 0; i < indices->size / sizeof(uint16_t); i++) {
                if (idx[i] >= f->table_.size()) {
                    f->pending_.warnings.push_back("tranche index " + std::to_string(idx[i]) +
                                                   " beyond the format table (" +
                                                   std::to_string(f->table_.size()) + " entries)");
                    continue;
                }
                f->tranche_.formats.push_back(f->table_[idx[i]]);
            }
        },
    .tranche_flags =
        [](void *data, zwp_linux_dmabuf_feedback_v1 *, uint32_t flags) {
            auto *f = static_cast<Feedback *>(data);
            f->begin_batch();
            f->tranche_.flags = flags;
        },
};

void Feedback::begin_batch() {
    if (in_batch_) return;
    in_batch_ = true;
    pending_ = {};
    tranche_ = {};
}

std::string describe(const FeedbackState &state) {
    const Tranche *first = state.tranches.empty() ? nullptr : &state.tranches.front();
    std::string line = std::to_string(state.tranches.size()) + " tranches, first ";
    if (first == nullptr) return line + "none";
    return line + (first->scanout() ? "scanout" : "render") + " on " +
           device_name(first->target_device ? first->target_device : state.main_device);
}

Feedback::DoneFn Feedback::announce_into(bool &changed) {
    auto started = std::chrono::steady_clock::now();
    return [&changed, started](const FeedbackState &state) {
        double at = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        say("feedback at %.2f s: %s", at, describe(state).c_str());
        changed = true;
    };
}

Feedback::Feedback(zwp_linux_dmabuf_feedback_v1 *proxy, DoneFn on_done)
    : proxy_(proxy), on_done_(std::move(on_done)) {
    zwp_linux_dmabuf_feedback_v1_add_listener(proxy_, &listener, this);
}

Feedback::~Feedback() { zwp_linux_dmabuf_feedback_v1_destroy(proxy_); }

} // namespace client
