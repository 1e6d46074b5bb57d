"""The amounts per day that DOMAIN.md §4 gives (see brygga.payments.reference)."""

from django.db import migrations

from brygga.payments.reference import AMOUNTS, INSTALLED_BY, seed_daily_amounts


def seed(apps, schema_editor):
    seed_daily_amounts(apps.get_model("payments", "DailyAmount"))


def unseed(apps, schema_editor):
    DailyAmount = apps.get_model("payments", "DailyAmount")
    DailyAmount.objects.filter(
        year__in=[year for year, *_rest in AMOUNTS], updated_by_name=INSTALLED_BY
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
