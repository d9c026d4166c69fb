from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('submissions', '0004_read_repeated_unread_notices'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.UniqueConstraint(condition=models.Q(('read_at__isnull', True)), fields=('user', 'kind', 'village', 'year', 'month'), name='one_unread_notice_per_month'),
        ),
    ]
