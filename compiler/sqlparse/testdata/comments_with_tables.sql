select a -- from fake_table
/* join other_fake on true */
from real_table /* , commented.out */
