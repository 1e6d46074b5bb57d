from django.db import migrations

from brygga.audit import append_only


def forward(apps, schema_editor):
    for statement in append_only.enable(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    for statement in append_only.disable(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
