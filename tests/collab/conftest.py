from pathlib import Path

import pytest

from nexus.accounts.services import team_create, team_member_set
from nexus.collab.services.catalog import api_create, spec_version_create
from tests.shared import require, shared_path

CORPUS = shared_path("corpus", "openapi")

PETS_V1 = """
openapi: 3.0.3
info: {title: Pets, version: "1.0"}
paths:
  /pets:
    get:
      operationId: listPets
      summary: List pets
      parameters:
        - {name: limit, in: query, schema: {type: integer, maximum: 100}}
      responses:
        "200":
          description: The pets
          content:
            application/json:
              schema:
                type: array
                items: {$ref: "#/components/schemas/Pet"}
    post:
      operationId: createPet
      summary: Add a pet
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewPet"}
      responses:
        "201":
          description: Created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
              example: {id: 7, name: Rex, tag: dog}
        "400": {description: Invalid pet}
  /pets/{petId}:
    get:
      operationId: showPet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: A pet
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
components:
  schemas:
    NewPet:
      type: object
      required: [name]
      properties:
        name: {type: string, maxLength: 50}
        tag: {type: string}
    Pet:
      allOf:
        - {$ref: "#/components/schemas/NewPet"}
        - type: object
          required: [id]
          properties:
            id: {type: integer}
"""

# v2 drops GET /pets/{petId}, makes `tag` required on creation and removes `tag` from responses.
PETS_V2 = (
    PETS_V1.replace(
        """  /pets/{petId}:
    get:
      operationId: showPet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: A pet
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
""",
        "",
    )
    .replace("required: [name]", "required: [name, tag]")
    .replace('version: "1.0"', 'version: "2.0"')
)


def corpus_or_skip() -> Path:
    return require(CORPUS)


@pytest.fixture
def team(owner, other_user):
    team = team_create(creator=owner, name="Pet Store Team")
    team_member_set(actor=owner, team=team, user=other_user, role="frontend")
    return team


@pytest.fixture
def pets_api(owner):
    return api_create(actor=owner, name="Pets", description="Pets for everyone")


@pytest.fixture
def pets_v1(pets_api, owner):
    return spec_version_create(api=pets_api, raw=PETS_V1, source="paste", actor=owner)[0]
