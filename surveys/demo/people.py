"""The demo world: 57 fictional member organisations, their people and the coalition's staff.

Idempotent: every object is found by a natural key before it is created, so seeding twice changes nothing.
"""

from dataclasses import dataclass

from django.db import transaction

from ..models import Membership, Organization, User
from ..services.accounts import membership_set, organization_create, staff_user_create

DEMO_PASSWORD = "milepost-demo-2026"
# A fixed authenticator key for the demo staff accounts, so a person trying the demo can add it to an app
# (or run `manage.py demo_totp_code EMAIL`). Never used outside the demo.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"

ORGANIZATION_NAMES = [
    "Aurora Social",
    "Brightline Messaging",
    "Cobalt Games",
    "Driftwood Video",
    "Ember Chat",
    "Fernbrook Cloud",
    "Glimmer Live",
    "Harbour Dating",
    "Inkwell Forums",
    "Juniper Play",
    "Kestrel Search",
    "Lantern Stream",
    "Meadow Photos",
    "Nimbus Storage",
    "Orchard Market",
    "Pebble Kids",
    "Quartz Voice",
    "Riverstone Hosting",
    "Saffron Social",
    "Tidewater Games",
    "Umber Apps",
    "Vantage Video",
    "Willow Messenger",
    "Xenia Communities",
    "Yarrow Learning",
    "Zephyr Connect",
    "Amberleaf Media",
    "Bluebell Networks",
    "Cinder Arcade",
    "Dovetail Groups",
    "Evergreen Share",
    "Foxglove Live",
    "Granite Cloud",
    "Hollow Oak Studios",
    "Ironbark Gaming",
    "Jasper Chat",
    "Kingfisher Clips",
    "Larkspur Social",
    "Marigold Meet",
    "Northwind Mail",
    "Opal Boards",
    "Primrose Pictures",
    "Quill Blogs",
    "Rowan Rooms",
    "Sable Streams",
    "Thistle Talk",
    "Upland VR",
    "Verdant Marketplace",
    "Wren Circles",
    "Yewtree Hosting",
    "Zinnia Creators",
    "Alder Audio",
    "Birchwood Boards",
    "Copperfield Connect",
    "Dunlin Drive",
    "Elmstead Events",
    "Fjord Friends",
]
assert len(ORGANIZATION_NAMES) == 57 == len(set(ORGANIZATION_NAMES))

# Organisations whose people can log in to the demo; the first one's contributor also belongs to the second.
DEMO_TEAMS = ["Aurora Social", "Brightline Messaging", "Cobalt Games", "Driftwood Video"]


@dataclass
class DemoLogin:
    email: str
    role: str


def _email_domain(name: str) -> str:
    return name.lower().replace(" ", "") + ".example"


def _user(email: str, first_name: str, last_name: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        if extra.get("role"):
            user = staff_user_create(
                email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name, **extra
            )
        else:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name
            )
    return user


def _demo_totp_device(user: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.get_or_create(
        user=user, name="Demo authenticator", defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True}
    )


@transaction.atomic
def seed_people() -> list[DemoLogin]:
    """Create the 57 organisations, a lead and a contributor for a few, one reviewer and one administrator."""
    for name in ORGANIZATION_NAMES:
        if not Organization.objects.filter(name=name).exists():
            organization_create(name=name, website=f"https://{_email_domain(name)}")
    logins = []
    first_names = ["Amira", "Ben", "Chloé", "Dev", "Elena", "Farid", "Grace", "Hugo"]
    for index, name in enumerate(DEMO_TEAMS):
        organization = Organization.objects.get(name=name)
        domain = _email_domain(name)
        lead = _user(f"lead@{domain}", first_names[2 * index], "Lead")
        contributor = _user(f"contributor@{domain}", first_names[2 * index + 1], "Contributor")
        membership_set(user=lead, organization=organization, role=Membership.Role.LEAD)
        membership_set(user=contributor, organization=organization, role=Membership.Role.CONTRIBUTOR)
        logins += [
            DemoLogin(lead.email, f"lead of {name}"),
            DemoLogin(contributor.email, f"contributor of {name}"),
        ]
    # One person acting for two organisations, to show the organisation switcher.
    multi = User.objects.get(email=f"contributor@{_email_domain(DEMO_TEAMS[0])}")
    membership_set(
        user=multi,
        organization=Organization.objects.get(name=DEMO_TEAMS[1]),
        role=Membership.Role.CONTRIBUTOR,
    )
    logins[1].role += f" and of {DEMO_TEAMS[1]}"

    reviewer = _user("reviewer@coalition.example", "Rita", "Reviewer", role=User.StaffRole.REVIEWER)
    administrator = _user(
        "admin@coalition.example", "Adam", "Administrator", role=User.StaffRole.ADMINISTRATOR
    )
    for user in (reviewer, administrator):
        _demo_totp_device(user)
    logins += [
        DemoLogin(reviewer.email, "coalition reviewer"),
        DemoLogin(administrator.email, "coalition administrator"),
    ]
    return logins


def demo_totp_secret() -> str:
    """The demo authenticator key in the base32 form apps ask for."""
    import base64

    return base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode()
