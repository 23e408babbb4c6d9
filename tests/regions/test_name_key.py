"""A region's stored ``name_key`` (what roster names are matched by) follows its name: a region renamed through
the admin or the ORM is matched by its new name, and the import's villages frame reads the stored keys."""

from __future__ import annotations

import pytest

from ucj.regions.codes import name_key
from ucj.regions.models import Region
from ucj.registry.services import villages_for

pytestmark = pytest.mark.django_db
SUKARAMI = "16.06.01.2001"


def test_a_renamed_region_gets_the_key_of_its_new_name() -> None:
    desa = Region.objects.get(code=SUKARAMI)
    desa.name = "Sukarami Baru"
    desa.save()
    desa.refresh_from_db()
    assert desa.name_key == name_key("Sukarami Baru")


def test_a_save_of_the_name_alone_stores_its_key_too() -> None:
    desa = Region.objects.get(code=SUKARAMI)
    desa.name = "Sukarami Lama"
    desa.save(update_fields=["name"])
    desa.refresh_from_db()
    assert desa.name_key == name_key("Sukarami Lama")


def test_villages_frame_uses_the_stored_keys() -> None:
    Region.objects.filter(code=SUKARAMI).update(name_key="kunci-tersimpan")  # no save(): only the stored key moves
    row = villages_for("16").filter(code=SUKARAMI).row(0, named=True)
    assert row["name_key"] == "kunci-tersimpan"
    assert row["kec_key"] == Region.objects.get(code="16.06.01").name_key
