// RequestChecks: rules of wl_shm and xdg-shell that libwayland 1.21 and
// wlroots 0.15, which implement those interfaces for planar, leave out. Each
// is checked when the request arrives, before it runs (RequestVeto), and
// answered with the error the spec names, on the object it names; the
// request then does not run (the client is being disconnected):
// - wl_shm_pool.create_buffer with a stride shorter than one row of its
//   format: wl_shm.invalid_stride. libwayland compares the stride with the
//   width in pixels, not in bytes, so such a buffer would have the renderer
//   read rows past the end of its pool.
// - xdg_wm_base.get_xdg_surface for a wl_surface that has another role:
//   xdg_wm_base.role, as for one that has a live xdg_surface already; for
//   one with a buffer attached or committed:
//   xdg_wm_base.invalid_surface_state (wlroots 0.15 sees only a committed
//   buffer, and reports it under the number of an xdg_surface error).
// - xdg_surface.destroy while its toplevel or popup exists:
//   xdg_surface.defunct_role_object (wlroots 0.15 ignores the request).
// The first two carry a new_id: refused with an error, never ignored.
#pragma once

namespace planar {

class RequestVeto;

void add_request_checks(RequestVeto &veto);

} // namespace planar
