"""pets: the provider, a FastAPI app whose OpenAPI document FastAPI generates."""

from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel

app = FastAPI(title="pets", version="1.0.0")


class Pet(BaseModel):
    """A pet as the API returns it."""

    id: int
    name: str
    tag: str | None = None


PETS = {1: Pet(id=1, name="Rex", tag="dog"), 2: Pet(id=2, name="Tom")}


@app.get("/pets")
def list_pets(limit: int = Query(20, ge=1, le=100)) -> list[Pet]:
    """The first `limit` pets."""
    return list(PETS.values())[:limit]


@app.get("/pets/{pet_id}")
def get_pet(pet_id: int) -> Pet:
    """One pet, or 404."""
    if pet_id not in PETS:
        raise HTTPException(status_code=404, detail="no such pet")
    return PETS[pet_id]
