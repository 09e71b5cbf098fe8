import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Extra holidays become the authority's declared calendar days: holidays or working
    days, with when and by whom they were declared."""

    dependencies = [
        ("rules", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("ExtraHoliday", "CalendarDay"),
        migrations.AlterField(
            model_name="calendarday",
            name="jurisdiction",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="calendar_days", to="rules.jurisdiction"
            ),
        ),
        migrations.AddField(
            model_name="calendarday",
            name="kind",
            field=models.CharField(
                choices=[("holiday", "holiday"), ("working_day", "working day")], default="holiday", max_length=20
            ),
        ),
        migrations.AddField(
            model_name="calendarday",
            name="declared_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="calendarday",
            name="declared_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
