"""GSM8K and MMLU test items rephrased freely, the way a person or a model paraphrases them.

Written for this project's evaluation suite (not by a script, and not taken from any
published rephrasing of GSM8K or MMLU, which are held out). The suite's rule-made
rewordings swap synonyms, reorder clauses and rename people; these rewrite the sentences
as a whole: other structure, other words, numbers sometimes spelled out, options reworded
and reordered. Keys are (subject or ``gsm8k``, the item's line in its test file, from 0).
"""

from __future__ import annotations

REPHRASINGS: dict[tuple[str, int], str] = {
    ("gsm8k", 1000): "On Monday Dr. Jones will be at his clinic for 9 hours. Seeing each of the 9 patients admitted "
                     "there takes him 20 minutes, and he also has 10 half-hour appointments. How much time, in hours, "
                     "does that leave him for updating his records?",
    ("gsm8k", 1001): "To bake a birthday cake for her mother, Jordan needs 20 minutes for the batter, half an hour in "
                     "the oven, two hours for it to cool and then 10 minutes of frosting. The cake has to be ready by "
                     "5 pm. What is the latest she can begin, if everything happens the same day?",
    ("gsm8k", 1002): "Going from door to door, Lisa sells 3.5 boxes of chocolate bars and Peter sells 4.5 boxes. "
                     "Together that comes to 64 bars. How many bars does one box hold?",
    ("gsm8k", 1003): "Renting a dance studio costs $25 for each session, plus $1.50 for every student attending that "
                     "session. The studio currently has ten students and is booked three days each week. What will it "
                     "earn over a month?",
    ("gsm8k", 1004): "Peter's 64 chocolate bars are split evenly among 4 boxes; Martha's 56 bars are split evenly "
                     "among 7 boxes. How many more bars are in each of Peter's boxes than in each of Martha's?",
    ("gsm8k", 1005): "A park is home to 50 porcupines, and three fifths of them are female. Every female has 4 babies "
                     "a month. After one year, how many porcupines live in the park?",
    ("gsm8k", 1006): "To know how many gallons their pool takes, the Smiths must multiply its volume by 5.9. Filling "
                     "costs 10 cents per gallon, and the pool measures 25 ft long, 14 ft wide and 4 ft deep. What "
                     "will filling it cost?",
    ("gsm8k", 1007): "In a game of pick-up sticks there are nine red sticks. The blue sticks outnumber the red ones by "
                     "5, and there are 3 fewer yellow sticks than blue ones. How many sticks are there altogether?",
    ("gsm8k", 1008): "Shandy drove for 10 hours at 45 mph, while Matteo drove for 4 hours at 55 mph. How much farther "
                     "did Shandy go?",
    ("gsm8k", 1009): "Of the 3000 students at Brook Hills High, half are older than 16, and a quarter of those are "
                     "boys. The other half are younger than 16, and half of them are boys. How many girls attend the "
                     "school?",
    ("gsm8k", 1010): "In an hour Bethany runs ten laps. Trey manages four laps more than Bethany, Shaelyn half as many "
                     "as Trey, and Quinn two fewer than Shaelyn. By how many laps does Bethany beat Quinn?",
    ("gsm8k", 1011): "Wanda and Ms. B are filling an 18000-gallon tank from a pond over two days. On day one Wanda "
                     "pumps a quarter of the capacity and Ms. B pumps three quarters of what Wanda pumped. On day two "
                     "Wanda pumps two thirds of her first-day amount and Ms. B a third of hers. How many gallons are "
                     "still needed to fill the tank?",
    ("gsm8k", 1012): "Maria took a partly charged power bank to the park and used it to charge her friends' phones. "
                     "For 5 hours it lost 9% of its capacity per hour, then for roughly 3 more hours it lost 7% per "
                     "hour, ending at 28%. How charged was it when she arrived at the park?",
    ("gsm8k", 1013): "Working as a waitress, Janet earns $10 an hour in wages plus $15 an hour in tips. She wants a "
                     "down payment of 20% on a car costing $10,000. Working 40 hours each week, how many weeks until "
                     "she has saved it?",
    ("gsm8k", 1014): "Jamaar has $10 from mowing lawns to spend on fruit. With tax, peaches and pears cost 50 cents "
                     "each, apples 75 cents, kiwis a dollar and plums 25 cents. He has already picked 3 peaches, 4 "
                     "pears, 2 kiwis and 5 apples. How many plums can he still afford?",
    ("gsm8k", 1015): "A box of sweets holds 15 packs of 60 pieces each. Anne keeps 2 packs and shares the remaining "
                     "packs equally among 10 friends. How many pieces does each friend get?",

    ("sociology", 0): "According to mass-society theory, which is true?\n(A) Audiences interpret media messages "
                      "selectively\n(B) The ruling class's ideology dominates the subordinate classes\n(C) Media "
                      "treat the masses as passive, vulnerable consumers and manipulate them\n(D) Market forces "
                      "decide what the media contain",
    ("sociology", 1): "What did the ecological approach in urban sociology look at?\nA. Differences in how men and "
                      "women use public spaces in cities\nB. How social groups settled parts of a city and competed "
                      "over its resources\nC. Wildlife and habitats at the city's edges\nD. Collective protests about "
                      "the environment",
    ("sociology", 2): "What was Becker's claim about smoking cannabis?\n- It was growing among all groups of young "
                      "people in the 1970s\n- It was less pleasurable than other sociologists thought\n- It was a "
                      "risky activity young people should be kept from\n- It was learned step by step through the "
                      "social process of a deviant career",
    ("sociology", 3): "Which description fits the middle classes that emerged during the 1800s?\n(A) They often did "
                      "white-collar jobs\n(B) They lived in towns and took part in civic and voluntary bodies\n(C) "
                      "They were too varied to share much class consciousness\n(D) All of these",
    ("sociology", 4): "What have technologies of surveillance made easier?\nA. Keeping track of what employees do at "
                      "work\nB. Easing prison overcrowding with electronic tags\nC. Getting at and trading consumers' "
                      "'private' data\nD. Each of the above",
    ("sociology", 5): "Tönnies's idea of gemeinschaft describes essentially the same kind of social relations as "
                      "which concept?\nA. anomie\nB. gesellschaft\nC. mechanical solidarity\nD. organic solidarity",
    ("sociology", 6): "Why did income inequality grow during the 1980s?\n(A) Consumer prices rose faster than "
                      "earnings\n(B) More people relied on welfare benefits as unemployment rose\n(C) Income tax "
                      "went up by the same amount for every occupation\n(D) There were more professional jobs than "
                      "people to fill them",
    ("sociology", 7): "What does it mean for a deviant act to be 'normalized'?\nA. It is blamed on the person's "
                      "genes or anatomy\nB. It is treated as a passing lapse by someone otherwise normal\nC. It marks "
                      "the start of a deviant career\nD. It is seen as a breach of an important behavioural norm",
    ("sociology", 8): "What was John Scott's (1997) position in the 'managerial revolution' debate?\n(A) Owners kept "
                      "control through shareholder groups and interlocking directorships\n(B) Managers, unhappy with "
                      "their conditions, meant to overthrow business owners\n(C) Scientific management was too "
                      "bureaucratic and inefficient\n(D) Owning and managing firms were drifting further apart",
    ("sociology", 9): "How do Marxist feminists account for patriarchy?\nA. Through the twin systems of capitalism and "
                      "male dominance\nB. Through the capitalist economy exploiting women's housework\nC. Through sex "
                      "classes in which men oppress women\nD. Through unequal rights and opportunities for the sexes",
    ("sociology", 10): "Giddens (1998) listed several features of New Labour's 'third way'. Which one is NOT among "
                       "them?\n(A) strengthening civil society\n(B) ending privatization\n(C) democratizing the "
                       "family\n(D) positive welfare, 'a hand up, not a hand-out'",
    ("sociology", 11): "What did anti-psychiatrists such as Laing and Esterson hold?\nA. Odd-seeming behaviour may be "
                       "a reasonable reaction to disturbed family relationships\nB. Psychiatrists pushed ruling-class "
                       "ideology on patients as agents of capitalism\nC. Mental illness is biological, so the "
                       "patient's experience of the mind is not worth studying\nD. Psychiatry is outdated and should "
                       "give way to aromatherapy and kinesiology",

    ("abstract_algebra", 0): "What is the degree of the extension Q(√2, √3, √18) over the rationals?\nA. 2\nB. 4\n"
                             "C. 6\nD. 0",
    ("abstract_algebra", 1): "In the symmetric group S_5, take p = (1, 2, 5, 4)(2, 3). What is the index of the "
                             "subgroup generated by p?\nA. 120\nB. 24\nC. 8\nD. 2",
    ("abstract_algebra", 2): "Over the field Z_5, which elements are roots of x^5 + 3x^3 + x^2 + 2x?\n(A) 0 and 1\n"
                             "(B) 0 and 4\n(C) only 1\n(D) only 0",
    ("abstract_algebra", 3): "Decide whether each statement is true. First: every factor group of a non-Abelian group "
                             "is non-Abelian. Second: a normal subgroup K of H, where H is normal in G, is normal in "
                             "G.\nOptions: True, True / False, False / True, False / False, True",
    ("abstract_algebra", 4): "In the ring Z_8[x], multiply f(x) = 4x - 5 by g(x) = 2x^2 - 4x + 2. What do you get?\n"
                             "A. 0\nB. x^2 + 1\nC. 6x^2 + 4x + 6\nD. 2x^2 + 5",
    ("abstract_algebra", 5): "True or false? (1) A group with an element of order 15 has at least 8 elements of "
                             "order 15. (2) A group with more than 8 elements of order 15 has at least 16 of them.\n"
                             "A. False, True\nB. True, False\nC. False, False\nD. True, True",
    ("abstract_algebra", 6): "Consider: (1) each homomorphic image of a group G is isomorphic to some factor group of "
                             "G; (2) up to isomorphism, the homomorphic images of G are exactly its factor groups. "
                             "Which are true?\nA. both\nB. neither\nC. only the first\nD. only the second",
    ("abstract_algebra", 7): "Evaluate the two statements. Statement 1: a ring homomorphism is injective exactly when "
                             "its kernel is {0}. Statement 2: Q is an ideal of R.\nA. True, True\nB. False, False\n"
                             "C. True, False\nD. False, True",
    ("abstract_algebra", 8): "Over Q, what is the degree of the field extension generated by √2 + √3?\n(A) 6\n(B) 2\n"
                             "(C) 4\n(D) 0",
    ("abstract_algebra", 9): "Find the roots of the polynomial x^3 + 2x + 2 in the finite field Z_7.\nA. 6\nB. 2 and 3"
                             "\nC. 2\nD. 1",
    ("abstract_algebra", 10): "Let H be a subgroup of G. Is it true that (1) |aH| = |Ha| for every a in G, and (2) "
                              "for all a, b in G the cosets aH and Hb are either equal or disjoint?\n"
                              "A. True, True  B. False, False  C. True, False  D. False, True",
    ("abstract_algebra", 11): "For A = {1, 2, 3}, what kind of relation is S = {(1, 1), (2, 2)}?\n(A) an equivalence "
                              "relation\n(B) symmetric but not anti-symmetric\n(C) anti-symmetric but not symmetric\n"
                              "(D) both symmetric and anti-symmetric",
}
