# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -e . \
    && DEBUG=False SECRET_KEY=build-only-key-build-only-key-build-only-key-0123456789 \
       python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "township.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
