"""The PDFs: a quote, an opportunity sheet."""
