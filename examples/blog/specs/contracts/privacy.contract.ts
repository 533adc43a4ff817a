/**
 * Employee records: social security numbers are for the employee and HR, salaries for HR alone.
 * `authmatrix/contracts` is the contract builder (authmatrix aliases it when it loads this file).
 */
import { anyone, contract, only, persona } from 'authmatrix/contracts';

export default contract('Employee privacy', [
  // Nobody outside the user pool sees an employee record at all.
  persona('anonymous', 'apiKey', 'guest', 'iamUser').never('read', 'Employee'),

  // The ssn: the employee reads their own, nobody else's, and other signed-in users none.
  persona('owner').may('read', 'Employee.ssn', { of: 'owner' }),
  persona('owner').never('read', 'Employee.ssn', { records: 'unowned' }),
  persona('stranger', 'groupMember:Admin').never('read', 'Employee.ssn'),

  // The salary: HR (and IAM administrators) only, in queries and in subscription events.
  only('groupMember:HR', 'iamAdmin').may('read', 'Employee.salary'),
  only('groupMember:HR', 'iamAdmin').may('update', 'Employee.salary'),
  anyone().except('groupMember:HR', 'iamAdmin').never('receive', 'Employee.salary'),
], { description: 'Social security numbers and salaries stay with the employee and HR.' });
