"""What UK and US primary-school timetables say: subjects, whole-school events, notes, people,
classes, schools and terms. Spellings and quirks are kept as teachers write them (the labels
copy them verbatim)."""

from __future__ import annotations

from typing import Literal

Region = Literal["uk", "us"]

LESSONS: dict[Region, tuple[str, ...]] = {
    "uk": (
        "Maths", "English", "Phonics", "RWI", "Guided Reading", "Reading", "Spelling", "SPaG",
        "Handwriting", "Science", "History", "Geography", "Art", "DT", "Music", "PE", "PSHE",
        "PHSE", "RE", "Computing", "French", "Spanish", "Topic", "Maths Meeting", "Maths Con",
        "Comprehension", "Writing", "Times Tables", "TTRS", "Forest School", "Drama",
        "Golden Time", "Library", "Mindfulness", "Outdoor Learning", "Whole Class Reading",
        "Interventions", "Design & Technology", "Mastering Number", "Comprehension/liibary",
        "Jigsaw PSHE", "Fluency", "Guided Reading/Library", "Arithmetic", "Grammar",
        "Singing", "Class Assembly", "Spelling Shed", "Philosophy for Children", "Swimming",
    ),
    "us": (
        "Math", "ELA", "Morning Meeting", "Daily 5: Station 1", "Daily 5: Station 2",
        "Daily 5: Station 3", "Writer's Workshop", "Reader's Workshop", "Word Work (Phonics)",
        "Science/Health/Social Studies", "Social Studies", "Specialty Classes", "Specials",
        "Snack", "Read Aloud", "Language/Grammar", "Vocabulary", "Spelling Test", "Task List",
        "Adventure to Fitness", "Calendar Math", "Guided Math", "Centers", "STEM", "Library",
        "Art", "Music", "P.E.", "Small Groups", "Independent Reading", "Science",
        "Intervention/Enrichment", "Phonics Review", "Vocabulary Review", "Handwriting",
        "Guided Reading", "Computer Lab", "Health", "Character Ed", "Shared Reading",
    ),
}

# Events that run down the whole week in one merged cell (or repeat every day).
REGISTRATION = {
    "uk": ("Registration", "Registration and Early Morning work", "Early Morning Work",
           "Register & Early Work", "Morning Work"),
    "us": ("Arrival", "Morning Work", "Arrival & Breakfast", "Bell Work"),
}
BREAK = {
    "uk": ("Break", "Playtime", "Morning Break", "BREAK", "Break Time"),
    "us": ("Recess", "Morning Recess", "Snack & Recess", "Recess"),
}
LUNCH = {
    "uk": ("Lunch", "Lunchtime", "LUNCH", "Lunch Break", "Dinner"),
    "us": ("Lunch", "Lunch/Recess", "Lunch & Recess", "LUNCH"),
}
AFTERNOON_BREAK = {
    "uk": ("Afternoon Break", "Playtime", "Break"),
    "us": ("Recess", "Afternoon Recess"),
}
END_OF_DAY = {
    "uk": ("Storytime", "Story Time", "Class Story", "Storytime & Home Time", "Home Time"),
    "us": ("Pack Up", "Jobs & Read Aloud", "Dismissal", "Read Aloud"),
}
ASSEMBLY = ("Assembly", "Singing Assembly", "Celebration Assembly", "Collective Worship",
            "Whole School Assembly", "Key Stage Assembly")

NOTES = (
    "(Sentence Stacking 2)", "(practical or TTRS)", "Anti Bullying Week", "Room 4", "Room 12",
    "Hall", "ICT suite", "Library", "Field", "Mrs K", "with Mr Hughes", "(cover: Miss T)", "PPA",
    "Group A", "Groups 1 & 2", "Yr 3/4 together", "bring kit!", "(outdoor)", "Unit 3",
    "(Jigsaw)", "Week A", "(Power Maths)", "Mrs B & TA", "Set 2", "(in class)", "KS2 hall",
    "(Read Write Inc)", "Coach Dan", "Music room", "(fiction)",
)

TITLES = ("Miss", "Mrs", "Mr", "Ms", "Mrs.", "Mr.", "Ms.")
SURNAMES = (
    "Joynes", "Patel", "Okafor", "Hughes", "Thompson", "Rivera", "Kowalski", "Ahmed",
    "Williams", "O'Brien", "Nguyen", "Clarke", "Fitzgerald", "Begum", "Smith", "Evans", "Lewis",
    "Garcia", "Johnson", "Murphy", "Davies", "Walsh", "Khan", "Baker", "Hollis", "Mensah",
)
CLASS_CODES = ("2EJ", "4P", "3B", "1H", "5W", "6RM", "R1", "Y5/6", "2C", "4KL")
CLASS_NAMES = ("Oak", "Willow", "Kestrels", "Owls", "Maple", "Rowan", "Hedgehogs", "Ash",
               "Puffins", "Elm")
YEAR_GROUPS = {
    "uk": ("Year 1", "Year 2", "Year 3", "Year 4", "Year 5", "Year 6", "Reception"),
    "us": ("1st Grade", "2nd Grade", "3rd Grade", "Kindergarten", "4th Grade"),
}
PLACES = ("Little Thurrock", "Oakfield", "St Mary's", "Riverside", "Hillcrest", "Meadowbank",
          "Greenway", "Westfield", "Brookside", "Kingsmead", "Lincoln", "Maple Grove",
          "Cedar Park", "Willow Bank", "Holy Trinity", "Ashford")
SCHOOL_KINDS = {
    "uk": ("Primary School", "Primary Academy", "C of E Primary School", "Infant School",
           "Junior School"),
    "us": ("Elementary School", "Elementary", "Primary School", "Academy"),
}
TERMS = {
    "uk": ("Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2", "Autumn",
           "Spring", "Summer"),
    "us": ("Fall", "Spring", "Semester 1", "Quarter 2", "Trimester 1", "Winter"),
}
FOOTNOTES = (
    "* Daily 5 rotation may change during assessment weeks",
    "PE kit needed on Thursdays", "Updated 12/09/24", "Timetable subject to change",
    "Reading books changed on Mondays and Fridays", "Spellings sent home every Friday",
    "Water bottles every day please!", "Library visit every other Wednesday",
    "Please label all uniform", "Homework due Wednesday",
)
TABLE_TITLES = ("Timetable", "Class Timetable", "Weekly Timetable", "Daily Schedule—",
                "Our Week", "Visual Timetable", "Weekly Schedule")
