"""Site-wide vocabularies: library types, audiences, US states and territories, countries."""

from django.db import models


class LibraryType(models.TextChoices):
    ELEMENTARY_SCHOOL = "elementary_school", "Elementary school"
    MIDDLE_SCHOOL = "middle_school", "Middle school"
    HIGH_SCHOOL = "high_school", "High school"
    INDEPENDENT_SCHOOL = "independent_school", "Independent school"
    PUBLIC = "public", "Public"
    ACADEMIC = "academic", "Academic (college or university)"
    COMMUNITY_COLLEGE = "community_college", "Community college"
    SPECIAL_CORPORATE = "special_corporate", "Special: corporate"
    SPECIAL_LAW = "special_law", "Special: law"
    SPECIAL_MEDICAL = "special_medical", "Special: medical"
    SPECIAL_OTHER = "special_other", "Special: other"
    TRIBAL = "tribal", "Tribal"
    STATE_LIBRARY = "state_library", "State library"
    COOPERATIVE = "cooperative", "Cooperative or library system staff"

    @classmethod
    def family(cls, value: str) -> str:
        """Broad family used for "other library types": school, public, academic, special…"""
        return LIBRARY_FAMILIES.get(value, value)


LIBRARY_FAMILIES = {
    "elementary_school": "school",
    "middle_school": "school",
    "high_school": "school",
    "independent_school": "school",
    "public": "public",
    "academic": "academic",
    "community_college": "academic",
    "special_corporate": "special",
    "special_law": "special",
    "special_medical": "special",
    "special_other": "special",
    "tribal": "tribal",
    "state_library": "state",
    "cooperative": "cooperative",
}


class Audience(models.TextChoices):
    CHILDREN = "children", "Children"
    TEENS = "teens", "Teens"
    ADULTS = "adults", "Adults"
    SENIORS = "seniors", "Seniors"
    STUDENTS = "students", "Students"
    FACULTY = "faculty", "Faculty and teachers"
    RESEARCHERS = "researchers", "Researchers"
    FAMILIES = "families", "Families"
    PROFESSIONALS = "professionals", "Professionals"


US_STATES = [
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("PR", "Puerto Rico"),
    ("GU", "Guam"),
    ("VI", "U.S. Virgin Islands"),
]
US_STATE_NAMES = dict(US_STATES)

COUNTRIES = [
    ("US", "United States"),
    ("CA", "Canada"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("AU", "Australia"),
    ("NZ", "New Zealand"),
    ("IN", "India"),
    ("ZA", "South Africa"),
    ("NG", "Nigeria"),
    ("KE", "Kenya"),
    ("PH", "Philippines"),
    ("MX", "Mexico"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("NL", "Netherlands"),
    ("SE", "Sweden"),
    ("OTHER", "Another country"),
]
