from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ingestion", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="document",
            name="detected_encoding",
            field=models.CharField(blank=True, help_text="Of a text-based file, as detected.", max_length=40),
        ),
    ]
