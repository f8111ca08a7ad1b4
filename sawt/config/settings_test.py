"""Test settings: the same as production, with fast hashing and a throwaway home."""

from sawt.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Never fine-tune a transformer by accident: a test that wants the deep path says so.
SAWT_CLASSIFIER_ENGINE = "fast"
