from django.apps import AppConfig


class ImportexportConfig(AppConfig):
    name = "importexport"
    verbose_name = "台账导入导出"
