from rest_framework import serializers, viewsets

from township import access

from .models import Village


class VillageSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = Village
        fields = ["id", "name", "township"]


class VillageViewSet(viewsets.ReadOnlyModelViewSet):
    """The villages the user may see: a secretary their own, staff and leaders their township's."""

    serializer_class = VillageSerializer
    filterset_fields = ["township"]
    search_fields = ["name"]

    def get_queryset(self):
        return access.visible(self.request.user, Village.objects.select_related("township")).order_by("order", "pk")
