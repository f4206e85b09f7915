"""Who works which show: staff assigned to shows directly, and squads (named groups of agents) that work one show
at a time and move between shows in one step. A user with no assignment at all keeps the reach of their role (a
studio running one room needs no assignments); one with any assignment sees only the shows assigned."""
from __future__ import annotations

import re
import time

from sqlalchemy import delete, select

from studio.errors import Invalid, NotFound
from studio.store.models import ShowStaff, Squad, SquadMember, User
from studio.store.shows import get_show

SQUAD_NAME = re.compile(r"^[\w\- ]{1,64}$")
MAX_MEMBERS = 200


def _users(s, names) -> list[str]:
    if not isinstance(names, list) or len(names) > MAX_MEMBERS or not all(isinstance(n, str) for n in names):
        raise Invalid(f"users must be a list of at most {MAX_MEMBERS} user names")
    known = set(s.scalars(select(User.name).where(User.name.in_(names))))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise Invalid(f"no user named {unknown[0]!r}")
    return sorted(set(names))


def set_show_staff(db, show_id: str, names) -> list[str]:
    """Replace the staff assigned to a show directly."""
    with db.session() as s:
        get_show(s, show_id)
        names = _users(s, names)
        s.execute(delete(ShowStaff).where(ShowStaff.show_id == show_id))
        s.add_all(ShowStaff(show_id=show_id, user_name=n) for n in names)
        return names


def show_staff(db, show_id: str) -> dict:
    with db.session() as s:
        direct = sorted(s.scalars(select(ShowStaff.user_name).where(ShowStaff.show_id == show_id)))
        squads = [{"name": q.name, "members": _members(s, q.name)}
                  for q in s.scalars(select(Squad).where(Squad.show_id == show_id).order_by(Squad.name))]
    return {"users": direct, "squads": squads}


def _members(s, squad: str) -> list[str]:
    return sorted(s.scalars(select(SquadMember.user_name).where(SquadMember.squad == squad)))


def shows_for(db, user: str) -> set[str] | None:
    """The shows a user may see; None when the user has no assignment at all (the role's reach applies)."""
    with db.session() as s:
        direct = set(s.scalars(select(ShowStaff.show_id).where(ShowStaff.user_name == user)))
        rows = s.execute(select(SquadMember.squad, Squad.show_id).join(Squad, Squad.name == SquadMember.squad)
                         .where(SquadMember.user_name == user)).all()
    if not direct and not rows:
        return None
    return direct | {show for _, show in rows if show}


def save_squad(db, name: str, members) -> dict:
    if not isinstance(name, str) or not SQUAD_NAME.match(name.strip() or "-"):
        raise Invalid("squad name must be 1-64 letters, digits, spaces, hyphens or underscores")
    name = name.strip()
    with db.session() as s:
        members = _users(s, members)
        squad = s.get(Squad, name)
        if squad is None:
            squad = Squad(name=name)
            s.add(squad)
            s.flush()
        s.execute(delete(SquadMember).where(SquadMember.squad == name))
        s.add_all(SquadMember(squad=name, user_name=m) for m in members)
        return {"name": name, "show": squad.show_id, "members": members}


def move_squad(db, name: str, show_id: str | None) -> dict:
    """One action: the whole squad now works `show_id` (None: no show)."""
    with db.session() as s:
        squad = s.get(Squad, name) if isinstance(name, str) and len(name) <= 64 else None
        if squad is None:
            raise NotFound(f"no squad named {name!r}")
        if show_id is not None:
            get_show(s, show_id)
        previous = squad.show_id
        squad.show_id, squad.moved_at = show_id, time.time()
        return {"name": name, "show": show_id, "from": previous, "members": _members(s, name)}


def list_squads(db) -> list[dict]:
    with db.session() as s:
        return [{"name": q.name, "show": q.show_id, "moved_at": q.moved_at, "members": _members(s, q.name)}
                for q in s.scalars(select(Squad).order_by(Squad.name))]


def delete_squad(db, name: str) -> None:
    with db.session() as s:
        squad = s.get(Squad, name) if isinstance(name, str) and len(name) <= 64 else None
        if squad is None:
            raise NotFound(f"no squad named {name!r}")
        s.execute(delete(SquadMember).where(SquadMember.squad == name))
        s.delete(squad)
