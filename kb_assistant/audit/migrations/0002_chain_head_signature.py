from django.db import migrations, models


def sign_existing_head(apps, schema_editor) -> None:
    """A log written before heads were signed: sign the head it has now, as it stands."""
    from kb_assistant.audit.chain import head_signature

    for head in apps.get_model("audit", "ChainHead").objects.all():
        head.signature = head_signature(seq=head.seq, last_hash=head.hash)
        head.save(update_fields=["signature"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="chainhead",
            name="signature",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(sign_existing_head, migrations.RunPython.noop),
    ]
