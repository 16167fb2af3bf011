"""Storefront pages of the catalogue: home, category, search, product and the cart."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog.models import Category, Product


def home(request):
    products = Product.objects.filter(is_active=True).order_by("-created_at")[:20]
    return render(request, "catalog/home.html", {"products": products})


def search(request):
    query = request.GET.get("q", "").strip()
    products = Product.objects.filter(is_active=True, title__icontains=query)[:40]
    return render(request, "catalog/home.html", {"products": products, "query": query})


def category(request, slug):
    current = get_object_or_404(Category, slug=slug, is_active=True)
    products = Product.objects.filter(is_active=True, category=current)[:40]
    return render(request, "catalog/home.html", {"products": products, "category": current})


def product(request, pk):
    item = get_object_or_404(Product, pk=pk, is_active=True)
    return render(request, "catalog/home.html", {"products": [item]})


def cart(request):
    return render(request, "catalog/home.html", {"products": []})


@require_POST
def cart_add(request):
    messages.info(request, "The cart opens shortly.")
    return redirect("catalog:cart")


@require_POST
def cart_update(request, item_id):
    return redirect("catalog:cart")


@require_POST
def cart_remove(request, item_id):
    return redirect("catalog:cart")
