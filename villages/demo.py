"""The demo township of the reference document: 示范镇, its 12 villages, branches and star ratings; and 青山镇, a
small neighbouring township of the same system, so that the demo holds transfers between two townships."""
from .models import PartyBranch, StarRating, Township, Village

TOWNSHIP_NAME = "示范镇"

# The five villages named in the reference come first (通昌村 is the third: sec03's village);
# the reference masks the other seven, so these names are our own.
VILLAGE_NAMES = [
    "江南村", "联星村", "通昌村", "潘昶村", "银光村", "红星村",
    "新华村", "永宁村", "丰收村", "团结村", "和平村", "幸福村",
]

# 2023 ratings follow the reference's next steps: 潘昶村 is to rise to five stars,
# 江南村/银光村/联星村 to four, 通昌村 to three, so they stand one below in 2023.
STARS = {
    #          2022, 2023, 2024 target
    "江南村": (3, 3, 4),
    "联星村": (3, 3, 4),
    "通昌村": (2, 2, 3),
    "潘昶村": (4, 4, 5),
    "银光村": (3, 3, 4),
    "红星村": (4, 5, 5),
    "新华村": (4, 4, 4),
    "永宁村": (3, 4, 4),
    "丰收村": (4, 4, 4),
    "团结村": (3, 3, 3),
    "和平村": (3, 4, 4),
    "幸福村": (4, 5, 5),
}


def load(stdout=None):
    """Create (or complete) 示范镇 with its villages, branches and 2022–2023 ratings; returns the township."""
    township, _ = Township.objects.get_or_create(name=TOWNSHIP_NAME)
    for order, name in enumerate(VILLAGE_NAMES, start=1):
        village, _ = Village.objects.update_or_create(township=township, name=name, defaults={"order": order})
        branch, _ = PartyBranch.objects.get_or_create(village=village, name=f"{name}党支部")
        stars_2022, stars_2023, target_2024 = STARS[name]
        StarRating.objects.update_or_create(branch=branch, year=2022, defaults={"stars": stars_2022})
        StarRating.objects.update_or_create(
            branch=branch, year=2023, defaults={"stars": stars_2023, "target_stars": target_2024}
        )
    return township


# A neighbouring township in the system: three villages, its own staff and members, and members moving between it
# and 示范镇 (cadres.demo). Its records are few: the demo's report is 示范镇's.
NEIGHBOUR_NAME = "青山镇"
NEIGHBOUR_VILLAGES = ["青山村", "石桥村", "柳湾村"]


def load_neighbour():
    """Create (or complete) 青山镇 with its villages and branches; returns the township."""
    township, _ = Township.objects.get_or_create(name=NEIGHBOUR_NAME)
    for order, name in enumerate(NEIGHBOUR_VILLAGES, start=1):
        village, _ = Village.objects.update_or_create(township=township, name=name, defaults={"order": order})
        PartyBranch.objects.get_or_create(village=village, name=f"{name}党支部")
    return township
