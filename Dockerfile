FROM python:3.11-slim-bookworm
# The worker OCRs scanned PDFs and images with tesseract and poppler's pdftoppm, as on Debian (scripts/install_system.sh).
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake \
      tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim poppler-utils && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
# For a smaller image, install the CPU build of torch 2.13.0 first from your mirror.
RUN CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install --no-cache-dir -r requirements.txt
COPY . .
ENV HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
EXPOSE 8000
