"""Tumbuh: the platform of Indonesia's national UMKM and BumDes digitalisation programme."""
