#include "output_manager.hpp"

#include "log.hpp"
#include "output.hpp"
#include "server.hpp"

namespace planar {

OutputManager::OutputManager(Server &server) : server_(server) {
    manager_ = wlr_output_manager_v1_create(server_.display());
    on_apply_.connect_as<wlr_output_configuration_v1>(&manager_->events.apply,
                                                       [this](wlr_output_configuration_v1 *c) {
        if (apply(c, false)) {
            wlr_output_configuration_v1_send_succeeded(c);
        } else {
            wlr_output_configuration_v1_send_failed(c);
        }
        wlr_output_configuration_v1_destroy(c);
        update();
    });
    on_test_.connect_as<wlr_output_configuration_v1>(&manager_->events.test,
                                                      [this](wlr_output_configuration_v1 *c) {
        if (apply(c, true)) {
            wlr_output_configuration_v1_send_succeeded(c);
        } else {
            wlr_output_configuration_v1_send_failed(c);
        }
        wlr_output_configuration_v1_destroy(c);
    });
}

void OutputManager::update() {
    wlr_output_configuration_v1 *config = wlr_output_configuration_v1_create();
    for (Output *output : server_.outputs()) {
        wlr_output_configuration_head_v1 *head = wlr_output_configuration_head_v1_create(config, output->wlr());
        wlr_box box = output->box();
        head->state.enabled = output->wlr()->enabled;
        head->state.x = box.x;
        head->state.y = box.y;
    }
    wlr_output_manager_v1_set_configuration(manager_, config);
}

bool OutputManager::apply(wlr_output_configuration_v1 *config, bool test_only) {
    bool ok = true;
    wlr_output_configuration_head_v1 *head;
    // Stage every head, test them all, then commit or roll back all of them.
    wl_list_for_each(head, &config->heads, link) {
        wlr_output *output = head->state.output;
        wlr_output_enable(output, head->state.enabled);
        if (head->state.enabled) {
            if (head->state.mode != nullptr) {
                wlr_output_set_mode(output, head->state.mode);
            } else {
                wlr_output_set_custom_mode(output, head->state.custom_mode.width, head->state.custom_mode.height,
                                           head->state.custom_mode.refresh);
            }
            wlr_output_set_scale(output, head->state.scale);
            wlr_output_set_transform(output, head->state.transform);
        }
        if (!wlr_output_test(output)) {
            plog::info(plog::Scope::output, "%s: configuration refused by the backend", output->name);
            ok = false;
        }
    }
    wl_list_for_each(head, &config->heads, link) {
        wlr_output *output = head->state.output;
        if (!ok || test_only) {
            wlr_output_rollback(output);
            continue;
        }
        if (!wlr_output_commit(output)) {
            ok = false;
            continue;
        }
        if (head->state.enabled) {
            wlr_output_layout_add(server_.layout(), output, head->state.x, head->state.y);
        } else {
            wlr_output_layout_remove(server_.layout(), output);
        }
    }
    return ok;
}

} // namespace planar
