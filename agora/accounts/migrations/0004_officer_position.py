"""An officer's position in each language (letters sign with it), from the one-language title:
the title becomes the English position. Reversible: the English position becomes the title."""

from django.db import migrations, models


def title_to_position(apps, schema_editor):
    Officer = apps.get_model("accounts", "Officer")
    for officer in Officer.objects.exclude(title=""):
        officer.position = {"en": officer.title}
        officer.save(update_fields=["position"])


def position_to_title(apps, schema_editor):
    Officer = apps.get_model("accounts", "Officer")
    for officer in Officer.objects.all():
        officer.title = (officer.position or {}).get("en", "")[:200]
        officer.save(update_fields=["title"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_authority_acts")]

    operations = [
        migrations.AddField(
            model_name="officer",
            name="position",
            field=models.JSONField(blank=True, default=dict, help_text="The position, as letters sign it."),
        ),
        migrations.RunPython(title_to_position, position_to_title),
        migrations.RemoveField(model_name="officer", name="title"),
    ]
