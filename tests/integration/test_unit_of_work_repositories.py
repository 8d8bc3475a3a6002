"""The unit of work makes its repositories on first use (a command imports only the areas it touches):
every repository the port names is there inside `with`, on that transaction's connection and tenant, a
new one in each `with`, and none outside."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from prorata.adapters.sql.engine import make_engine
from prorata.adapters.sql.unit_of_work import SqlaUnitOfWork
from prorata.domain.ports.unit_of_work import UnitOfWork

REPOSITORIES = [name for name in UnitOfWork.__annotations__ if name != "outbox"]


@pytest.fixture
def engine() -> Iterator[Engine]:
    made = make_engine("sqlite://")
    yield made
    made.dispose()


def _connection_of(repository: object) -> object:
    inner = getattr(repository, "receipts", repository)  # held receipts keep a receipts repository
    return inner.__dict__["connection"]


@pytest.mark.parametrize("tenant", [None, "t-1"])
def test_every_repository_is_made_on_the_transaction_s_connection_for_its_tenant(
    engine: Engine, tenant: str | None
) -> None:
    uow = SqlaUnitOfWork(engine, tenant)
    with uow:
        first = {name: getattr(uow, name) for name in REPOSITORIES}
        for name, repository in first.items():
            assert _connection_of(repository) is uow.connection, name
            bound = getattr(repository, "receipts", repository).bound
            assert bound == tenant, name
        assert all(getattr(uow, name) is first[name] for name in REPOSITORIES)  # made once a transaction
    with pytest.raises(AttributeError):
        _ = uow.keys  # outside `with`: no repository on a closed connection
    with uow:
        for name in REPOSITORIES:
            again = getattr(uow, name)
            assert again is not first[name], name
            assert _connection_of(again) is uow.connection, name


def test_a_name_no_repository_has_is_no_attribute(engine: Engine) -> None:
    with SqlaUnitOfWork(engine) as uow:
        assert not hasattr(uow, "tenant_keys")
