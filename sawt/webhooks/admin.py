from django.contrib import admin

from sawt.webhooks.models import Webhook, WebhookDelivery


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    # The secret is left out: it is shown once, when the hook is registered on its page.
    list_display = ("url", "active", "agency", "consecutive_failures", "disabled_at")
    exclude = ("secret",)
    readonly_fields = ("consecutive_failures", "disabled_at", "disabled_reason", "created_by")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # registration checks the URL: the web page does it

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # and so does turning a hook back on


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("uuid", "hook", "event", "status", "attempts", "created_at", "finished_at")
    list_filter = ("status", "event")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
