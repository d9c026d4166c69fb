"""gunicorn settings, read from the working directory (the Dockerfile and docker-compose run gunicorn in /app).

The access and error logs go through the same filter as Django's (township.log_filters): an access
line carries the path and query (/records/persons/?q=<身份证号>), which must not reach the log
unmasked. Setting logconfig_dict also turns gunicorn's access log on (to stdout).
"""

_FILTERS = ["personal_data"]

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "township.log_filters.PersonalDataFilter"}},
    "formatters": {
        "generic": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
                    "datefmt": "[%Y-%m-%d %H:%M:%S %z]"},
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "generic", "filters": _FILTERS,
                    "stream": "ext://sys.stdout"},
        "error_console": {"class": "logging.StreamHandler", "formatter": "generic", "filters": _FILTERS,
                          "stream": "ext://sys.stderr"},
        "access_console": {"class": "logging.StreamHandler", "formatter": "access", "filters": _FILTERS,
                           "stream": "ext://sys.stdout"},
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access_console"], "propagate": False},
    },
}
