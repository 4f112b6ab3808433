"""How every form on the site is drawn (settings.FORM_RENDERER).

One field partial, `templates/includes/_field.html`, draws each field wherever a template asks
for it (`{{ form.title.as_field_group }}`), `{{ form }}` or allauth's pages: its label (a legend
for a group of choices), "(required)", help text, errors and widget, with the help and the
errors tied to the widget by `aria-describedby` and `aria-invalid` on a field that is wrong.
One summary, `templates/includes/_form_errors.html` (`{% form_errors form %}`), says above a
form what needs checking and links to each field.

Django's own renderer reads only its widget templates and the apps' folders; this one uses the
project's template settings, so the partials in `templates/` are found (`django.forms` is in
INSTALLED_APPS for the widget templates).
"""

from django.forms.renderers import TemplatesSetting


class SiteFormRenderer(TemplatesSetting):
    form_template_name = "includes/_form.html"
    field_template_name = "includes/_field.html"
