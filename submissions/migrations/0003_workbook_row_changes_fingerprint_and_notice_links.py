"""Row-by-row changes of a submission, the fingerprint its confirm checks, and the submission a notice is about.

The per-sheet counts kept so far in `changes` move to `change_summary` (renamed, so nothing
is lost); `changes` becomes the list of changed rows (empty for submissions made before).
Notices repeated so far are settled by the next two migrations.
"""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('submissions', '0002_initial'),
        ('villages', '0001_initial'),
    ]

    operations = [
        migrations.RenameField(model_name='submission', old_name='changes', new_name='change_summary'),
        migrations.AlterField(
            model_name='submission',
            name='change_summary',
            field=models.JSONField(blank=True, default=dict, verbose_name='变更汇总'),
        ),
        migrations.AddField(
            model_name='submission',
            name='changes',
            field=models.JSONField(blank=True, default=list, verbose_name='变更明细'),
        ),
        migrations.AddField(
            model_name='submission',
            name='fingerprint',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='预览时的记录指纹'),
        ),
        migrations.AlterField(
            model_name='submission',
            name='status',
            field=models.CharField(choices=[('processing', '正在检查'), ('preview', '待确认'), ('invalid', '有错误'), ('confirming', '正在提交'), ('submitted', '已上报'), ('returned', '已退回'), ('approved', '已审核'), ('superseded', '已被新文件取代'), ('failed', '处理失败')], default='processing', max_length=16, verbose_name='状态'),
        ),
        migrations.AddField(
            model_name='notice',
            name='submission',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='notices', to='submissions.submission', verbose_name='报表'),
        ),
    ]
