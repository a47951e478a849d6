"""Pages no longer carry a review claim written into the content: the dates and reviewer in the
fixtures were never a real review. The source's own date becomes "last updated"; reviews are
recorded by staff (PageReview, next migration)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="treatmentpage", name="treatment_page_review_due_after_review"),
        migrations.RemoveConstraint(model_name="treatmentpage", name="treatment_page_reviewed_after_published"),
        migrations.RemoveField(model_name="treatmentpage", name="last_reviewed"),
        migrations.RemoveField(model_name="treatmentpage", name="next_review_due"),
        migrations.RemoveField(model_name="treatmentpage", name="reviewed_by"),
        migrations.RenameField(model_name="treatmentpage", old_name="first_published", new_name="last_updated"),
        migrations.AlterField(
            model_name="treatmentpage",
            name="last_updated",
            field=models.DateField(
                help_text="When this information was last updated. Shown to patients; reviews are recorded separately.",
                verbose_name="last updated",
            ),
        ),
    ]
