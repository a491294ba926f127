"""Settings of a RackForge installation (environment variables RACKFORGE_*)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One place for every knob an operator sets; read from RACKFORGE_* variables."""

    model_config = SettingsConfigDict(env_prefix="RACKFORGE_", extra="ignore")

    profile_dir: Path = Field(
        default=Path.home() / ".rackforge" / "profiles",
        description="where calibrated efficiency profiles are saved (one YAML per version)",
    )
    shared_dir: Path = Field(
        default=Path("../shared"),
        description="the collaboration's shared folder (reference and validation data)",
    )
    database_url: str | None = Field(
        default=None,
        description="the store's SQLAlchemy URL (postgresql+psycopg://...); unset: SQLite in "
        "the program directory, <program_dir>/.rackforge/pool.db",
    )
