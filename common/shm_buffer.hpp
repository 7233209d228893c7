// Whether a wlr_buffer is a client's wl_shm buffer: wlroots' shm wrapper
// maps its data and has no dma-buf. Checked on the implementation, not by
// asking: asking a dma-buf for a data pointer would map it on the CPU
// (planar's dma-buf buffers can, for the CPU importer).
#pragma once

#include "wlr.hpp"

inline bool is_shm_buffer(const wlr_buffer *buffer) {
    return buffer != nullptr && buffer->impl->get_dmabuf == nullptr && buffer->impl->begin_data_ptr_access != nullptr;
}
