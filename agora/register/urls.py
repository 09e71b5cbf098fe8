from django.urls import path

from . import feeds, views

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register.json", views.register_json, name="register_json"),
    path("register.csv", views.register_csv, name="register_csv"),
    path("register.jsonl", views.register_jsonl, name="register_jsonl"),
    path("register-full.jsonl.gz", views.register_dump, name="register_dump"),
    path("register/<str:reference>/", views.notice_public, name="notice_public"),
    path("register/<str:reference>/filing-proof.json", views.filing_proof, name="filing_proof"),
    path("decisions/<str:reference>/", views.decision_public, name="decision_public"),
    path("decisions.atom", feeds.DecisionsFeed(), name="decisions_feed"),
    path("places/<int:pk>/", views.venue_page, name="venue_page"),
    path("places/<int:pk>/calendar.ics", feeds.venue_ical, name="venue_ical"),
    path("statistics/", views.statistics, name="statistics"),
    path("audit/", views.audit_page, name="audit"),
    path("audit/digest.json", views.audit_digest, name="audit_digest"),
    path("audit/digests.atom", feeds.DigestsFeed(), name="audit_digests_feed"),
    path("audit/events.jsonl", views.audit_export, name="audit_events"),
    path("audit/checkpoint", views.audit_checkpoint, name="audit_checkpoint"),
    path("audit/checkpoints.atom", feeds.CheckpointsFeed(), name="audit_checkpoints_feed"),
    path("audit/key", views.audit_key, name="audit_key"),
    path("audit/agora_verify.py", views.audit_verifier, name="audit_verifier"),
    path("decisions/<str:reference>/proof.json", views.letter_proof_json, name="letter_proof"),
]
