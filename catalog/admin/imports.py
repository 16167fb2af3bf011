"""The CSV / Excel import of products, SKUs and stock (django-import-export), mixed into the
product admin. The merchant comes from the user (staff) or the form (operations), never from
the file; one transaction per file."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.formats.base_formats import XLSX
from import_export.forms import ConfirmImportForm, ImportForm

from catalog.actors import actor_for, is_platform_staff, staff_merchant
from catalog.models import Merchant
from catalog.resources import SKUImportResource, SpreadsheetCSV


class CatalogImportForm(ImportForm):
    merchant = forms.ModelChoiceField(
        queryset=Merchant.objects.filter(is_active=True),
        label=_("Merchant"),
        help_text=_("Products, SKUs and stock are imported into this merchant."),
    )


class CatalogConfirmImportForm(ConfirmImportForm):
    merchant = forms.ModelChoiceField(queryset=Merchant.objects.all(), widget=forms.HiddenInput)


class ProductImportPage:
    """The import page of the product admin (before ImportMixin in its bases)."""

    resource_classes = [SKUImportResource]
    import_formats = [SpreadsheetCSV, XLSX]
    import_form_class = CatalogImportForm
    confirm_form_class = CatalogConfirmImportForm
    import_template_name = "admin/catalog/product/import.html"
    import_error_display = ("message",)

    def get_urls(self):
        example = path(
            "import/example.csv",
            self.admin_site.admin_view(self.import_example_view),
            name="catalog_product_import_example",
        )
        return [example, *super().get_urls()]

    def import_example_view(self, request):
        """The example file of docs/, to start a spreadsheet from."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        example = Path(settings.BASE_DIR) / "docs" / "import-example.csv"
        response = HttpResponse(example.read_bytes(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="import-example.csv"'
        return response

    def has_import_permission(self, request):
        user = request.user
        if not (user.has_perm("catalog.add_product") and user.has_perm("catalog.add_sku")):
            return False
        return is_platform_staff(user) or staff_merchant(user) is not None

    def _scope_import_merchant_field(self, form, request):
        field = form.fields["merchant"]
        if not is_platform_staff(request.user):
            merchant = staff_merchant(request.user)
            field.queryset = Merchant.objects.filter(pk=merchant.pk if merchant else None)
            field.empty_label = None
            field.initial = merchant.pk if merchant else None
        return form

    def create_import_form(self, request):
        return self._scope_import_merchant_field(super().create_import_form(request), request)

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form)
        return self._scope_import_merchant_field(form, request)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["merchant"] = import_form.cleaned_data["merchant"].pk
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        if is_platform_staff(request.user):
            form = kwargs.get("form")
            merchant = getattr(form, "cleaned_data", {}).get("merchant") if form else None
        else:
            merchant = staff_merchant(request.user)
        return {"merchant": merchant, "actor": actor_for(request.user)}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # One transaction for the file: a row that fails validation undoes every row.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The data changed between the preview and the confirmation: nothing was saved.
            problems = [
                gettext("row %(number)s: %(problem)s")
                % {"number": row.number, "problem": "; ".join(str(m) for m in row.error.messages)}
                for row in result.invalid_rows
            ] + [
                gettext("row %(number)s: %(problem)s")
                % {"number": number, "problem": errors[0].error}
                for number, errors in result.row_errors()
            ]
            problems += [str(error.error) for error in result.base_errors]
            self.message_user(
                request,
                gettext("Nothing was imported: %(problems)s")
                % {"problems": " | ".join(problems[:10])},
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:catalog_product_import"))
        return super().process_result(result, request)
