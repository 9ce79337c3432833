"""Demo accounts, one per role, all with the same published password (never use it in production)."""

from accounts.models import Membership, User
from villages.models import Township, Village

DEMO_PASSWORD = "tongxin-demo-2026"  # noqa: S105 (published demo password)

# e-mail, display name, role, village code (None for the township or its district), superuser
ACCOUNTS = [
    ("official@luoxi.demo", "罗溪镇 · 林镇干", Membership.Role.OFFICIAL, None, False),
    ("district@luojiang.demo", "洛江区 · 郑区干", Membership.Role.DISTRICT_OFFICIAL, None, False),
    ("cadre@xindong.demo", "新东村 · 陈村干", Membership.Role.CADRE, "xindong", False),
    ("cadre@hongsi.demo", "洪四村 · 洪村干", Membership.Role.CADRE, "hongsi", False),
    ("supervisor@xindong.demo", "新东村 · 黄监督", Membership.Role.SUPERVISOR, "xindong", False),
    # The member is also a seat on 新东村's first roundtable (roundtable/demo.py): the seat carries this name.
    ("member@xindong.demo", "翁淑芬", Membership.Role.MEMBER, "xindong", False),
    ("admin@luoxi.demo", "系统管理员", None, None, True),
]


def seed(township: Township, stdout=None) -> list[User]:
    """Creates the demo accounts and their memberships; the password is set only when created."""
    users = []
    for email, name, role, village_code, superuser in ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            maker = User.objects.create_superuser if superuser else User.objects.create_user
            user = maker(email=email, password=DEMO_PASSWORD, display_name=name)
        elif user.display_name != name:
            user.display_name = name
            user.save(update_fields=["display_name"])
        if role == Membership.Role.OFFICIAL:
            Membership.objects.get_or_create(user=user, role=role, township=township, village=None)
        elif role == Membership.Role.DISTRICT_OFFICIAL:
            Membership.objects.get_or_create(user=user, role=role, district=township.district)
        elif role:
            village = Village.objects.get(code=village_code)
            Membership.objects.get_or_create(user=user, role=role, village=village, township=None)
        users.append(user)
    if stdout:
        stdout.write(f"  {len(users)} demo accounts")
    return users
