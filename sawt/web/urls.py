from django.urls import path

from sawt.web.views import (
    classification,
    gaps,
    hooks,
    import_mapping,
    imports,
    pages,
    surveys,
    tokens,
    webhooks,
)

app_name = "web"
urlpatterns = [
    path("", pages.home, name="home"),
    path("periods/<str:period>/", pages.portfolio_page, name="portfolio"),
    path("journeys/<slug:slug>/<str:period>/", pages.journey_page, name="journey"),
    path(
        "journeys/<slug:slug>/<str:period>/categories/<slug:code>/",
        pages.category_page,
        name="category",
    ),
    path("journeys/<slug:slug>/<str:period>/review/", classification.review_page, name="review"),
    path(
        "journeys/<slug:slug>/<str:period>/review/retrain/",
        classification.review_retrain,
        name="review_retrain",
    ),
    path(
        "journeys/<slug:slug>/<str:period>/review/threshold/",
        classification.review_threshold_view,
        name="review_threshold",
    ),
    path(
        "journeys/<slug:slug>/<str:period>/review/undo/<int:pk>/",
        classification.review_undo_view,
        name="review_undo",
    ),
    path(
        "journeys/<slug:slug>/<str:period>/review/<int:pk>/",
        classification.review_settle_view,
        name="review_settle",
    ),
    path("journeys/<slug:slug>/<str:period>/themes/", classification.themes_page, name="themes"),
    path(
        "journeys/<slug:slug>/<str:period>/themes/promote/",
        classification.theme_promote_view,
        name="theme_promote",
    ),
    path("surveys/<slug:code>/", surveys.survey_page, name="survey"),
    path(
        "surveys/<slug:code>/invitations/",
        surveys.survey_invitations_send,
        name="survey_invitations",
    ),
    path("imports/", imports.imports_page, name="imports"),
    path("imports/<int:pk>/", imports.import_status, name="import_status"),
    path("imports/map/<str:slot>/", import_mapping.import_mapping, name="import_mapping"),
    path(
        "imports/mappings/<slug:slug>/mapping.yaml",
        import_mapping.mapping_download,
        name="import_mapping_download",
    ),
    path(
        "imports/mappings/<slug:slug>/remove/",
        import_mapping.mapping_remove,
        name="import_mapping_remove",
    ),
    path(
        "imports/mappings/<slug:slug>/responses/mapping.yaml",
        import_mapping.mapping_download,
        {"kind": "responses"},
        name="import_responses_mapping_download",
    ),
    path(
        "imports/mappings/<slug:slug>/responses/remove/",
        import_mapping.mapping_remove,
        {"kind": "responses"},
        name="import_responses_mapping_remove",
    ),
    path("gaps/", gaps.gap_list_page, name="gaps"),
    path("gaps/new/", gaps.gap_new, name="gap_new"),
    path("gaps/<int:pk>/", gaps.gap_detail_page, name="gap"),
    path("gaps/<int:pk>/recommendations/", gaps.recommendation_add, name="recommendation_add"),
    path(
        "gaps/<int:pk>/recommendations/<int:rec>/move/",
        gaps.recommendation_move,
        name="recommendation_move",
    ),
    path(
        "gaps/<int:pk>/recommendations/<int:rec>/edit/",
        gaps.recommendation_edit,
        name="recommendation_edit",
    ),
    path("gaps/<int:pk>/comments/", gaps.comment_add, name="gap_comment"),
    path("tokens/", tokens.tokens_page, name="tokens"),
    path("tokens/new/", tokens.token_new, name="token_new"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke_page, name="token_revoke"),
    path("webhooks/", webhooks.webhooks_page, name="webhooks"),
    path("webhooks/<int:pk>/", webhooks.webhook_page, name="webhook"),
    path("webhooks/<int:pk>/delete/", webhooks.webhook_delete, name="webhook_delete"),
    # The SMS gateway's replies (opt-outs), authenticated by SAWT_SMS_TOKEN.
    path("hooks/sms/", hooks.sms_reply, name="sms_hook"),
]
